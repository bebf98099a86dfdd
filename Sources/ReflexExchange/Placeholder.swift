// Placeholder until the ReflexExchange issue lands; replaced by its sources.
