// Tests for ReflexWebhook live in this folder.
