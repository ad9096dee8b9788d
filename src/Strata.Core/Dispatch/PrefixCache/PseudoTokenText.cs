using System.Text;

namespace Strata.Core.Dispatch.PrefixCache;

/// <summary>
/// Text made of pseudo-tokens of exactly <see cref="PrefixBlockHasher.BytesPerPseudoToken"/>
/// ASCII bytes (a space and three letters), so the byte-count token estimate the engines and
/// gateway use reads back exactly the tokens written: the emulator's generated text and
/// <c>strata bench</c>'s synthesized prompts.
/// </summary>
public static class PseudoTokenText
{
    /// <summary>Appends <paramref name="count"/> pseudo-tokens whose content is fixed by <paramref name="key"/> and their position from <paramref name="offset"/>.</summary>
    public static void Append(StringBuilder text, ulong key, long offset, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var bits = Mix(key + (ulong)(offset + i) * 0x9E37_79B9_7F4A_7C15UL);
            text.Append(' ')
                .Append((char)('a' + (int)(bits % 26)))
                .Append((char)('a' + (int)(bits / 26 % 26)))
                .Append((char)('a' + (int)(bits / 676 % 26)));
        }
    }

    /// <summary>The text of generated token <paramref name="index"/>: filler that never depends on the prompt.</summary>
    public static string Generated(int index) => Filler[index % Filler.Length];

    private static readonly string[] Filler = [" the", " and", " for", " are", " but", " not", " you", " all"];

    /// <summary>SplitMix64's finaliser: neighbouring inputs give unrelated outputs.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
