"""Running Pulumi programs on the SDK's mock runtime and driving policy packs the way the engine does."""
