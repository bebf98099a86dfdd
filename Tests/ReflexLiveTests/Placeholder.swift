// Tests for the live runtime.
