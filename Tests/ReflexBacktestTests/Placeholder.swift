// Tests for ReflexBacktest live in this folder.
