import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// TCP ports for servers whose port must be written into a config before they start.
enum LoopbackPort {
    /// A port on 127.0.0.1 that nothing is bound to now, drawn below Linux's ephemeral range (32768–60999): a port
    /// from inside it can be taken meanwhile as the local end of one of the parallel suite's outgoing connections.
    static func free(in range: Range<Int> = 20_000..<32_000, excluding taken: Set<Int> = []) -> Int {
        while true {
            let port = Int.random(in: range)
            if !taken.contains(port) && isFree(port) { return port }
        }
    }

    /// Whether a listening socket could bind `port` on 127.0.0.1 now (with `SO_REUSEADDR`, as the servers bind).
    static func isFree(_ port: Int) -> Bool {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
