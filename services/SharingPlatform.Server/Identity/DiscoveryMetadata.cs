using System.Collections.Immutable;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Adds to the discovery document what OpenIddict leaves out: the one algorithm a client assertion may be signed
/// with, so that a client library configured from discovery signs with ES256 and nothing else.
/// </summary>
public sealed class DiscoveryMetadata : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<DiscoveryMetadata>()
            .SetOrder(Discovery.AttachClientAuthenticationMethods.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        context.Metadata[Metadata.TokenEndpointAuthSigningAlgValuesSupported] = ImmutableArray.Create<string?>(ClientAssertionRules.Algorithm);
        return ValueTask.CompletedTask;
    }
}
