import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Raw bytes of a file, decompressed on the fly when it is gzip. Streaming: memory stays flat whatever the size.
final class ByteSource {
    private let descriptor: Int32
    private let process: Process?
    private let handle: FileHandle?

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw TickFileError(
                file: path, line: 0, column: 0, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var magic = [UInt8](repeating: 0, count: 2)
        let n = Glibc.read(fd, &magic, 2)
        if n == 2 && magic == [0x1f, 0x8b] {
            close(fd)
            // gzip through the system's gzip: no package, and decompression runs on the other core.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec gzip -dc -- \"$0\"", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch {
                throw TickFileError(
                    file: path, line: 0, column: 0, message: "cannot start gzip to decompress: \(error)")
            }
            self.process = process
            self.handle = pipe.fileHandleForReading
            self.descriptor = pipe.fileHandleForReading.fileDescriptor
        } else {
            lseek(fd, 0, SEEK_SET)
            self.descriptor = fd
            self.process = nil
            self.handle = nil
        }
    }

    /// Reads up to `count` bytes into `buffer`; 0 at end of data.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            let n = Glibc.read(descriptor, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw TickFileError(
                file: "", line: 0, column: 0, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }

    /// After end of data: did the decompressor succeed?
    func finish() -> Int32 {
        guard let process else { return 0 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if let process {
            if process.isRunning { process.terminate() }
            try? handle?.close()
        } else {
            close(descriptor)
        }
    }
}
