// Tests for ReflexExchange live in this folder.
