namespace LiveHub.Bluesky;
