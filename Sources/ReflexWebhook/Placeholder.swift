// Placeholder until the ReflexWebhook issue lands; replaced by its sources.
