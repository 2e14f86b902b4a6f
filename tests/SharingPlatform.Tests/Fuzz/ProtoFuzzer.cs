using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// Random and mutated protobuf messages of any type, by reflection over their descriptors, so that every field of
/// a request (and of each message inside it, to any depth) gets odd values: text from <see cref="FuzzValues"/>,
/// numbers at every bound, enum numbers the contract does not define, repeated fields past their limits, messages
/// missing or empty. <see cref="Shrink"/> makes a failing message smaller, one field or element at a time.
/// </summary>
public static class ProtoFuzzer
{
    private const int MaxDepth = 4;

    /// <summary>A copy of <paramref name="message"/> with one to four edits, each to one field of one message anywhere inside it.</summary>
    public static T Mutate<T>(T message, Random random)
        where T : IMessage<T>
    {
        var copy = message.Clone();
        for (var edits = random.Next(2) == 0 ? 1 : random.Next(2, 5); edits > 0; edits--)
        {
            // Every field of every message inside is as likely to be edited as any other.
            var nodes = new List<IMessage>();
            Collect(copy, nodes);
            var fields = nodes.SelectMany(n => n.Descriptor.Fields.InDeclarationOrder().Select(f => (Node: n, Field: f))).ToList();
            var (node, field) = fields[random.Next(fields.Count)];
            Edit(node, field, random);
        }

        return copy;
    }

    /// <summary>A new message of <paramref name="descriptor"/>'s type, about half its fields set to random values.</summary>
    public static IMessage Random(MessageDescriptor descriptor, Random random, int depth = 0)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (random.Next(2) == 0 || (field.FieldType == FieldType.Message && depth >= MaxDepth))
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var n = random.Next(0, 4); n > 0; n--)
                {
                    list.Add(Value(field, random, depth));
                }
            }
            else
            {
                field.Accessor.SetValue(message, Value(field, random, depth));
            }
        }

        return message;
    }

    /// <summary>
    /// <paramref name="message"/>'s bytes with one to three fields appended: well framed, so the message stays readable,
    /// but of any number (the message's own, overriding or adding to what it holds, or unknown) and any wire type.
    /// <paramref name="inner"/>, when given, is what a length-delimited field may carry (e.g. a record inside a push).
    /// </summary>
    public static byte[] AppendFields(byte[] message, Random random, byte[]? inner = null)
    {
        using var output = new MemoryStream();
        output.Write(message);
        using (var coded = new CodedOutputStream(output, leaveOpen: true))
        {
            for (var fields = random.Next(1, 4); fields > 0; fields--)
            {
                var number = random.Next(3) == 0 ? random.Next(1, 536_870_912) : random.Next(1, 20);
                switch (random.Next(4))
                {
                    case 0:
                        coded.WriteTag(number, WireFormat.WireType.Varint);
                        coded.WriteInt64(FuzzValues.Number(random));
                        break;
                    case 1:
                        coded.WriteTag(number, WireFormat.WireType.Fixed64);
                        coded.WriteFixed64(unchecked((ulong)FuzzValues.Number(random)));
                        break;
                    default:
                        coded.WriteTag(number, WireFormat.WireType.LengthDelimited);
                        coded.WriteBytes(ByteString.CopyFrom(random.Next(3) switch
                        {
                            0 when inner is not null => AppendFields(inner, random),
                            1 => System.Text.Encoding.UTF8.GetBytes(FuzzValues.Text(random)),
                            _ => FuzzValues.Bytes(random, 32),
                        }));
                        break;
                }
            }
        }

        return output.ToArray();
    }

    /// <summary>Smaller messages than <paramref name="message"/>: fewer elements, a field cleared, shorter text, a smaller part.</summary>
    public static IEnumerable<T> Shrink<T>(T message)
        where T : IMessage<T>
    {
        foreach (var (field, value) in Set(message))
        {
            if (value is IList { Count: > 1 } list)
            {
                yield return With(message, m =>
                {
                    var shorter = (IList)field.Accessor.GetValue(m);
                    while (shorter.Count > list.Count / 2)
                    {
                        shorter.RemoveAt(shorter.Count - 1);
                    }
                });
                for (var i = 0; i < Math.Min(list.Count, 8); i++)
                {
                    var at = i;
                    yield return With(message, m => ((IList)field.Accessor.GetValue(m)).RemoveAt(at));
                }
            }
        }

        foreach (var (field, _) in Set(message))
        {
            yield return With(message, m => field.Accessor.Clear(m));
        }

        foreach (var (field, value) in Set(message))
        {
            if (value is string { Length: > 1 } text)
            {
                yield return With(message, m => field.Accessor.SetValue(m, text[..(text.Length / 2)]));
                yield return With(message, m => field.Accessor.SetValue(m, text[(text.Length / 2)..]));
            }
            else if (value is IMessage part)
            {
                foreach (var smaller in ShrinkPart(part))
                {
                    yield return With(message, m => field.Accessor.SetValue(m, smaller));
                }
            }
            else if (value is IList { Count: > 0 } list && list[0] is IMessage)
            {
                for (var i = 0; i < Math.Min(list.Count, 8); i++)
                {
                    var at = i;
                    foreach (var smaller in ShrinkPart((IMessage)list[at]!))
                    {
                        yield return With(message, m => ((IList)field.Accessor.GetValue(m))[at] = smaller);
                    }
                }
            }
        }
    }

    /// <summary>A deep copy that keeps every character (a copy through bytes would replace lone surrogates).</summary>
    private static IMessage Clone(IMessage message) => (IMessage)message.GetType().GetMethod("Clone", Type.EmptyTypes)!.Invoke(message, null)!;

    private static IEnumerable<IMessage> ShrinkPart(IMessage part)
    {
        var method = typeof(ProtoFuzzer).GetMethod(nameof(Shrink))!.MakeGenericMethod(part.GetType());
        return ((IEnumerable)method.Invoke(null, [part])!).Cast<IMessage>();
    }

    private static T With<T>(T message, Action<IMessage> change)
        where T : IMessage<T>
    {
        var copy = message.Clone();
        change(copy);
        return copy;
    }

    /// <summary>The fields of <paramref name="message"/> that hold something other than their default.</summary>
    private static List<(FieldDescriptor Field, object Value)> Set(IMessage message) =>
        [.. message.Descriptor.Fields.InDeclarationOrder()
            .Select(f => (Field: f, Value: f.Accessor.GetValue(message)))
            .Where(f => f.Value switch
            {
                null => false,
                IList list => list.Count > 0,
                string s => s.Length > 0,
                ByteString b => b.Length > 0,
                bool b => b,
                IMessage => true,
                Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) != 0,
                var number => Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture) != 0,
            })];

    private static void Collect(IMessage message, List<IMessage> nodes)
    {
        nodes.Add(message);
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
        {
            var value = field.Accessor.GetValue(message);
            if (value is IList list)
            {
                foreach (var item in list.Cast<IMessage>())
                {
                    Collect(item, nodes);
                }
            }
            else if (value is IMessage part)
            {
                Collect(part, nodes);
            }
        }
    }

    /// <summary>One edit to one field of <paramref name="message"/> itself.</summary>
    private static void Edit(IMessage message, FieldDescriptor field, Random random)
    {
        if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(message);
            switch (random.Next(4))
            {
                case 0 when list.Count > 0:
                    list.RemoveAt(random.Next(list.Count));
                    break;
                case 1 when list.Count > 0:
                    // Past the limits (20 tags, 50 related subjects, 100 events, 500 records) as often as under them.
                    var copies = random.Next(2) == 0 ? random.Next(1, 4) : random.Next(15, 110);
                    var item = list[random.Next(list.Count)]!;
                    for (var n = 0; n < copies; n++)
                    {
                        list.Add(item is IMessage part ? Clone(part) : item);
                    }

                    break;
                default:
                    list.Add(Value(field, random, 0));
                    break;
            }
        }
        else if (field.FieldType == FieldType.Message && random.Next(3) == 0)
        {
            field.Accessor.Clear(message);
        }
        else
        {
            field.Accessor.SetValue(message, Value(field, random, 0));
        }
    }

    private static object Value(FieldDescriptor field, Random random, int depth) => field.FieldType switch
    {
        FieldType.String => FuzzValues.Text(random),
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => FuzzValues.Number32(random),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => FuzzValues.Number(random),
        FieldType.UInt32 or FieldType.Fixed32 => unchecked((uint)FuzzValues.Number(random)),
        FieldType.UInt64 or FieldType.Fixed64 => unchecked((ulong)FuzzValues.Number(random)),
        FieldType.Double => (double)FuzzValues.Number(random) / (random.Next(1, 4) * 7),
        FieldType.Float => (float)FuzzValues.Number(random) / (random.Next(1, 4) * 7),
        FieldType.Bytes => ByteString.CopyFrom(FuzzValues.Bytes(random, 64)),
        FieldType.Enum => Enum.ToObject(field.EnumType.ClrType,
            random.Next(3) == 0 ? FuzzValues.Number32(random) : field.EnumType.Values[random.Next(field.EnumType.Values.Count)].Number),
        FieldType.Message => Random(field.MessageType, random, depth + 1),
        _ => throw new NotSupportedException(field.FieldType.ToString()),
    };
}
