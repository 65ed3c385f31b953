namespace ContentApi.Tests;

/// <summary>The checkout the tests were built from (the folder that holds ContentApi.sln).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ContentApi.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ContentApi.sln not found above " + AppContext.BaseDirectory);
    }
}
