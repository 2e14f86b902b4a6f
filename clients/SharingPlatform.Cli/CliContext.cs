using System.CommandLine;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Cli;

/// <summary>What a command needs: its parsed arguments, the output, and a connection made from the chosen profile.</summary>
public sealed class CliContext(ParseResult parse, GlobalOptions globals, Output output, Profiles profiles, HttpMessageHandler? transport)
{
    public ParseResult Parse { get; } = parse;

    public Output Output { get; } = output;

    /// <summary>Set by tests to reach an in-process server; null means the network.</summary>
    public HttpMessageHandler? Transport { get; } = transport;

    public T Value<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public string ProfileName => Parse.GetValue(globals.Profile) ?? Profiles.DefaultName;

    public Profiles Profiles { get; } = profiles;

    public Profile Profile => Profiles.Get(ProfileName);

    public SharingConnection Connect()
    {
        var profile = Profile;
        if (!File.Exists(profile.KeyFile))
        {
            throw new CliException(ExitCodes.AuthFailed, $"The key file of profile '{ProfileName}' is missing: {profile.KeyFile}");
        }

        return new SharingConnection(new Uri(profile.GrpcUrl), new Uri(profile.Issuer), profile.ClientId, ClientKey.Load(profile.KeyFile), Transport);
    }

    /// <summary>The tenant of the current profile as a parent name, e.g. <c>tenants/nkdb-demo</c>.</summary>
    public string OwnParent => "tenants/" + Profile.Tenant;
}
