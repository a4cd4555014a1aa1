namespace LiveHub.Tests.Infrastructure;

/// <summary>The throwaway Redis that scripts/test.sh starts. Tests never skip when it is missing: they fail with instructions.</summary>
public static class RedisServer
{
    public const string EnvironmentVariable = "LIVEHUB_TEST_REDIS";

    /// <summary>The server's address with a channel prefix of this test's own, so tests running at once never hear each other.</summary>
    public static string ConnectionString(string prefix) =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } server
            ? $"{server},channelPrefix={prefix}-{Guid.NewGuid():N}"
            : throw new InvalidOperationException(
                $"Redis backplane tests need a server: run the suite with `bash scripts/test.sh`, which starts a throwaway Redis " +
                $"(install Debian's redis-server: apt-get install redis-server), or set {EnvironmentVariable} to host:port.");
}
