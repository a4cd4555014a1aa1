namespace LiveHub.Testing.FakeBluesky;
