using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// Hand-made gRPC requests over HTTP/2, for what no well-behaved client sends: invalid UTF-8, garbage, frames whose
/// declared length lies. The reply is read from the headers (a trailers-only response) or the trailers.
/// </summary>
public static class GrpcFrames
{
    /// <summary>A length-prefixed gRPC frame; <paramref name="declaredLength"/> lets the prefix lie about the payload.</summary>
    public static byte[] Frame(byte[] payload, int? declaredLength = null, bool compressed = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), declaredLength ?? payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static async Task<Reply> PostAsync(PlatformFixture fixture, string method, byte[] body, string? token = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var http = new HttpClient(fixture.Factory.Server.CreateHandler()) { BaseAddress = PlatformFixture.GrpcAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        var content = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var values) || response.TrailingHeaders.TryGetValues(name, out values) ? values.First() : null;

        var status = Header("grpc-status") is { } code ? (StatusCode)int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) : StatusCode.OK;
        var details = Header("grpc-status-details-bin") is { } bin ? Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(Padded(bin))) : null;
        return new Reply(status, Uri.UnescapeDataString(Header("grpc-message") ?? ""), details, content.Length);
    }

    private static string Padded(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    /// <summary>What came back: the status, its message, the google.rpc.Status details and how many body bytes.</summary>
    public sealed record Reply(StatusCode Status, string Message, Google.Rpc.Status? Details, int BodyBytes)
    {
        public string? Reason => Details?.Details.Select(d => d.TryUnpack<Google.Rpc.ErrorInfo>(out var info) ? info.Reason : null).FirstOrDefault(r => r is not null);
    }
}
