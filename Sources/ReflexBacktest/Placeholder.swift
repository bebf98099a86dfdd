// Placeholder: the backtester's sources arrive with the engine issue.
