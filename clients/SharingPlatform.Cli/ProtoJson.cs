using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SharingPlatform.Cli;

/// <summary>
/// The one JSON shape of a contract resource, for <c>--output json</c> and for the files sharectl writes: the proto3
/// JSON mapping (lowerCamel names, enums by their contract names, RFC 3339 times, every scalar field present) with
/// two changes that any proto3 JSON parser still reads: 64-bit integers are JSON numbers, not strings (sequences and
/// counts stay far below 2^53), and bytes (the audit hashes) are base64url without padding, the encoding of every other
/// hash and id in the contract (subject tokens, key ids).
/// </summary>
public static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>Names and narratives in Hangul stay readable; the text is JSON, never HTML.</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonNode ToNode(IMessage message)
    {
        var node = JsonNode.Parse(Formatter.Format(message))!;
        Adjust(node, message.Descriptor);
        return node;
    }

    public static string Format(IMessage message) => ToNode(message).ToJsonString(Options);

    /// <summary>A list of resources: always a JSON array of their one shape.</summary>
    public static string FormatList(IEnumerable<IMessage> messages) => new JsonArray([.. messages.Select(ToNode)]).ToJsonString(Options);

    /// <summary>Reads what <see cref="Format"/> wrote (and the plain proto3 mapping too).</summary>
    public static T Parse<T>(string json)
        where T : IMessage<T>, new()
    {
        var node = JsonNode.Parse(json) ?? throw new FormatException("empty JSON");
        Restore(node, new T().Descriptor);
        return JsonParser.Default.Parse<T>(node.ToJsonString());
    }

    private static void Adjust(JsonNode? node, MessageDescriptor descriptor) => Walk(node, descriptor, (field, value) => field.FieldType switch
    {
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 when value.GetValue<string>() is var text => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
        FieldType.UInt64 or FieldType.Fixed64 when value.GetValue<string>() is var text => JsonValue.Create(ulong.Parse(text, CultureInfo.InvariantCulture)),
        FieldType.Bytes => JsonValue.Create(System.Buffers.Text.Base64Url.EncodeToString(Convert.FromBase64String(value.GetValue<string>()))),
        _ => null,
    });

    /// <summary>Back to what Google.Protobuf's parser reads for certain: standard base64 for bytes.</summary>
    private static void Restore(JsonNode? node, MessageDescriptor descriptor) => Walk(node, descriptor, (field, value) =>
        field.FieldType == FieldType.Bytes && value.GetValueKind() == JsonValueKind.String
            ? JsonValue.Create(Convert.ToBase64String(System.Buffers.Text.Base64Url.DecodeFromChars(value.GetValue<string>().TrimEnd('=').Replace('+', '-').Replace('/', '_'))))
            : null);

    /// <summary>Replaces every 64-bit or bytes value under <paramref name="node"/>, recursing into messages (well-known types keep their own JSON).</summary>
    private static void Walk(JsonNode? node, MessageDescriptor descriptor, Func<FieldDescriptor, JsonValue, JsonNode?> replace)
    {
        if (node is not JsonObject json || descriptor.File.Package == "google.protobuf")
        {
            return;
        }

        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (!json.TryGetPropertyValue(field.JsonName, out var value) || value is null)
            {
                continue;
            }

            if (field.IsMap)
            {
                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (var key in value.AsObject().Select(p => p.Key).ToList())
                {
                    if (One(valueField, value[key], replace) is { } replaced)
                    {
                        value[key] = replaced;
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var items = value.AsArray();
                for (var i = 0; i < items.Count; i++)
                {
                    if (One(field, items[i], replace) is { } replaced)
                    {
                        items[i] = replaced;
                    }
                }
            }
            else if (One(field, value, replace) is { } replaced)
            {
                json[field.JsonName] = replaced;
            }
        }
    }

    /// <summary>The new value of one scalar, or null to leave it (messages are changed in place).</summary>
    private static JsonNode? One(FieldDescriptor field, JsonNode? value, Func<FieldDescriptor, JsonValue, JsonNode?> replace)
    {
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            Walk(value, field.MessageType, replace);
            return null;
        }

        return value is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.String ? replace(field, scalar.DeepClone().AsValue()) : null;
    }
}
