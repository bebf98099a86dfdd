// Tests for ReflexCore live in this folder.
