using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Remembers which key verified a client assertion (its RFC 7638 thumbprint), for the token endpoint to stamp into the
/// access token. Taken from the signature check itself, not from a later database read, so that a rotation racing a
/// token request cannot give a token obtained with the old key the new key's name.
/// </summary>
public sealed class AssertionKey : IOpenIddictServerHandler<ValidateTokenContext>
{
    private const string Property = ".sharingplatform_assertion_key";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AssertionKey>()
            .SetOrder(ValidateIdentityModelToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.IsRejected || context.ValidTokenTypes.Count != 1 || !context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            return default;
        }

        if (context.TokenValidationResult?.SecurityToken?.SigningKey is not { } key || !key.CanComputeJwkThumbprint())
        {
            context.Reject(Errors.InvalidClient, "The key that signed the client assertion cannot be identified.");
            return default;
        }

        context.Transaction.Properties[Property] = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return default;
    }

    /// <summary>The thumbprint of the key that verified this token request's assertion; null without an assertion.</summary>
    public static string? Of(HttpContext http) =>
        http.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction?.Properties.TryGetValue(Property, out var value) == true
            ? value as string
            : null;
}
