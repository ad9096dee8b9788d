namespace Strata.Serving.Tokenization;

/// <summary>A <c>tokenizer.json</c> that is missing or of a shape Strata does not read; the message names the file, the key and the fix.</summary>
public sealed class TokenizerFileException(string message) : Exception(message);
