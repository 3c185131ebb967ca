using System.Text;

namespace Ferry.Execution.Realtime;

/// <summary>
/// Protocol Buffers' wire format over one message's bytes, just enough to read an ONNX model's graph:
/// every length is checked against the bytes left, so hostile bytes end in <see cref="InvalidDataException"/>,
/// never in a read past the end or an allocation sized by the file's say-so.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int Delimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> data = data;
    private int position;

    /// <summary>The next field's number and wire type; false at the end of the message.</summary>
    public bool Next(out int field, out int wireType)
    {
        field = wireType = 0;
        if (position >= data.Length)
        {
            return false;
        }

        var tag = ReadVarint();
        if (tag >> 3 is 0 or > 0x1FFF_FFFF)
        {
            throw Malformed("a field numbered out of range");
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    /// <summary>The next length-delimited field's number, the fields of other wire types skipped; false at the end of the message.</summary>
    public bool NextDelimited(out int field)
    {
        while (Next(out field, out var wire))
        {
            if (wire == Delimited)
            {
                return true;
            }

            Skip(wire);
        }

        return false;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Malformed("a number cut short");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("a number longer than 10 bytes");
    }

    /// <summary>A length-delimited field: a string, bytes, or an embedded message to read with a reader of its own.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(data.Length - position))
        {
            throw Malformed("a field longer than the bytes left");
        }

        var bytes = data.Slice(position, (int)length);
        position += (int)length;
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips a field Ferry does not read. Groups (wire types 3 and 4) are not in ONNX and are refused.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Advance(8);
                break;
            case Delimited:
                ReadBytes();
                break;
            case Fixed32:
                Advance(4);
                break;
            default:
                throw Malformed($"wire type {wireType}");
        }
    }

    public static InvalidDataException Malformed(string what) => new($"its protobuf is malformed: {what}");

    private void Advance(int count)
    {
        if (data.Length - position < count)
        {
            throw Malformed("a fixed-size field cut short");
        }

        position += count;
    }
}
