// Tests for ReflexCLI live in this folder.
