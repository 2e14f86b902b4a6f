namespace SharingPlatform.Server.Cases;

/// <summary>What agreements filter on: the same on a current record and on a past revision.</summary>
public interface ICaseFacts
{
    bool Retracted { get; }

    int Status { get; }

    int Classification { get; }

    int ConsentScope { get; }

    string EventTypes { get; }

    string Regions { get; }
}
