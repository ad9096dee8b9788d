namespace Strata.KvEvents;

/// <summary>A KV-event payload that is not a vLLM event batch; the message says what was wrong and where.</summary>
public sealed class KvEventFormatException(string message, Exception? inner = null) : FormatException(message, inner);
