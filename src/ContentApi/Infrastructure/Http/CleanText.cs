namespace ContentApi.Infrastructure.Http;

/// <summary>
/// Text PostgreSQL cannot store (U+0000, lone surrogates) and C0 control characters other than
/// tab, line feed and carriage return are rejected before they reach the database.
/// </summary>
internal static class CleanText
{
    public const string Message = "must not contain control characters (other than tab and newline) or invalid Unicode.";

    public static bool IsClean(string? value)
    {
        if (value is null)
        {
            return true;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < ' ' && c is not ('\t' or '\n' or '\r') || c == '\u007f')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
