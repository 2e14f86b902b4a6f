namespace SharingPlatform.Server.Data;

/// <summary>A named, monotonically increasing counter row; its row lock serializes the writers that use it.</summary>
public sealed class SequenceCounter
{
    public const string Changes = "changes";

    public required string Name { get; set; }

    public long Value { get; set; }
}
