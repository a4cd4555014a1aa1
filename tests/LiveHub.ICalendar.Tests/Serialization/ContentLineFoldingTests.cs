using System.Text;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

public sealed class ContentLineFoldingTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static TheoryData<string> Payloads => new()
    {
        "👨‍👩‍👧‍👦 family 👩🏽‍💻 coder 🏳️‍🌈",
        "🇬🇧🇯🇵🇧🇷🇺🇸🇩🇪🇫🇷🇮🇳",
        "日本語テキストも大丈夫です。中文字符测试한국어",
        "e\u0301a\u0308o\u0302 Z\u0351\u0352\u0353a\u0354\u0355lgo",
        "Mixed 🦀 Rust & .NET – café 日本 👍🏿 \u00e9\u0301 end",
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void FoldedLinesStayWithin75OctetsAndUnfoldToTheInputAtEveryPadding(string payload)
    {
        for (var padding = 0; padding < 160; padding++)
        {
            AssertFoldsCorrectly("DESCRIPTION:" + new string('x', padding) + payload + payload);
        }
    }

    [Fact]
    public void RandomUnicodeFoldsCorrectly()
    {
        var random = new Random(20260601);
        for (var i = 0; i < 300; i++)
        {
            AssertFoldsCorrectly("SUMMARY:" + RandomText(random, random.Next(0, 200)));
        }
    }

    [Fact]
    public void LineOfExactly75OctetsIsNotFolded()
    {
        var line = "SUMMARY:" + new string('a', 75 - 8);

        Assert.Equal(line + "\r\n", ContentLineFolding.Fold(line));
    }

    [Fact]
    public void Line76OctetsLongFoldsItsLastOctetOntoAContinuation()
    {
        var line = "SUMMARY:" + new string('a', 76 - 8);

        Assert.Equal(line[..75] + "\r\n a\r\n", ContentLineFolding.Fold(line));
    }

    [Fact]
    public void ContinuationOfExactly75OctetsGetsNoEmptyContinuation()
    {
        var line = new string('a', 75 + 74);

        Assert.Equal(line[..75] + "\r\n " + line[75..] + "\r\n", ContentLineFolding.Fold(line));
    }

    [Fact]
    public void FourByteScalarIsMovedWholeToTheNextLine()
    {
        var line = new string('a', 73) + "🦀";

        Assert.Equal(new string('a', 73) + "\r\n 🦀\r\n", ContentLineFolding.Fold(line));
    }

    [Fact]
    public void LoneSurrogateBecomesReplacementCharacter()
    {
        var folded = ContentLineFolding.Fold("SUMMARY:a\uD83Eb");

        Assert.Equal("SUMMARY:a\uFFFDb\r\n", folded);
        StrictUtf8.GetBytes(folded);
    }

    [Fact]
    public void UnfoldHandlesCrlfLfCrAndTab()
    {
        var folded = "A:1\r\n 2\n\t3\r 4\r\nB:5"u8.ToArray();

        Assert.Equal("A:1234\r\nB:5", Encoding.UTF8.GetString(ContentLineFolding.Unfold(folded)));
    }

    private static void AssertFoldsCorrectly(string line)
    {
        var folded = ContentLineFolding.Fold(line);
        var bytes = StrictUtf8.GetBytes(folded);
        Assert.EndsWith("\r\n", folded, StringComparison.Ordinal);
        var physicalLines = SplitOnCrlf(bytes);
        foreach (var physical in physicalLines)
        {
            Assert.True(physical.Length <= 75, $"physical line of {physical.Length} octets");
            Assert.DoesNotContain((byte)'\r', physical);
            Assert.DoesNotContain((byte)'\n', physical);
            StrictUtf8.GetString(physical);
        }

        Assert.All(physicalLines.Skip(1), l => Assert.True(l.Length > 1 && l[0] == ' ', "continuation must start with one space and carry content"));
        var unfolded = StrictUtf8.GetString(ContentLineFolding.Unfold(bytes));
        Assert.Equal(line + "\r\n", unfolded);
    }

    private static List<byte[]> SplitOnCrlf(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 2;
                i++;
            }
        }

        Assert.Equal(bytes.Length, start);
        return lines;
    }

    internal static string RandomText(Random random, int scalars)
    {
        var text = new StringBuilder();
        for (var i = 0; i < scalars; i++)
        {
            var value = random.Next(8) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0xA0, 0x250),
                2 => random.Next(0x4E00, 0x9FFF),
                3 => random.Next(0x1F300, 0x1FAFF),
                4 => random.Next(0x300, 0x36F),
                5 => 0x200D,
                6 => random.Next(0x1F1E6, 0x1F1FF),
                _ => " ,;:\"^\\"[random.Next(7)],
            };
            text.Append(new Rune(value).ToString());
        }

        return text.ToString();
    }
}
