using System.Text.RegularExpressions;
using LiveHub.Data;
using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

/// <summary>
/// Who holds a stream's lease: <c>{instance}/{boot}/{drain}</c>. The instance id outlives restarts (the
/// <see cref="CrossPostingOptions.InstanceId"/> setting, else an id kept in the data directory), the boot id does not.
/// So a restarted process knows that leases of its instance with another boot id were held by its own previous run,
/// which is dead, and takes them back at once instead of waiting for them to run out; leases of other instances still
/// run out as before. Two processes must never share an instance id: the data-directory id is guarded by an exclusive
/// lock on a file next to it, and a second process on the same data directory falls back to an id of its own.
/// </summary>
public sealed partial class CrossPostInstance : IDisposable
{
    private const string IdFile = "crosspost-instance-id";
    private const string LockFile = "crosspost-instance.lock";

    private readonly FileStream? _lock;

    public CrossPostInstance(IOptions<CrossPostingOptions> options, DataDirectory data, ILogger<CrossPostInstance> logger)
    {
        if (options.Value.InstanceId is { Length: > 0 } configured)
        {
            Id = configured;
            return;
        }

        try
        {
            Directory.CreateDirectory(data.Path);
            _lock = new FileStream(System.IO.Path.Combine(data.Path, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var file = System.IO.Path.Combine(data.Path, IdFile);
            var stored = File.Exists(file) ? File.ReadAllText(file).Trim() : "";
            if (!IsValid(stored))
            {
                stored = "i" + Guid.NewGuid().ToString("N")[..16];
                File.WriteAllText(file, stored);
            }

            Id = stored;
        }
        catch (IOException ex)
        {
            // Another running process uses this data directory (or it is read-only): an id of our own is safe, only
            // slower after a crash (our leases then run out like anyone's).
            Id = "i" + Guid.NewGuid().ToString("N")[..16];
            logger.LogInformation("Cross-posting instance id {Id} is not kept across restarts ({Reason}); set CrossPosting:InstanceId to keep one.", Id, ex.Message);
        }
    }

    internal CrossPostInstance(string id) => Id = id;

    /// <summary>Stable across restarts of this instance.</summary>
    public string Id { get; }

    /// <summary>New on every start.</summary>
    public string Boot { get; } = Guid.NewGuid().ToString("N")[..12];

    public string NewLeaseOwner() => $"{Id}/{Boot}/{Guid.NewGuid():N}";

    /// <summary>Owners of leases held by an earlier run of this instance start with this…</summary>
    public string InstancePrefix => Id + "/";

    /// <summary>…and those of this run with this.</summary>
    public string BootPrefix => $"{Id}/{Boot}/";

    public static bool IsValid(string? id) => id is { Length: > 0 and <= 48 } && IdPattern().IsMatch(id);

    public void Dispose() => _lock?.Dispose();

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}
