namespace ResMgrLite.Config.Toml;

/// <summary>
/// How a table came to exist. The TOML 1.0 redefinition rules ("Table" and "Keys" sections)
/// depend on it: a table may be defined only once, by exactly one of these means.
/// </summary>
internal enum TomlTableOrigin
{
    /// <summary>Created as a parent of a longer <c>[a.b.c]</c> header; <c>[a]</c> may still define it once.</summary>
    Implicit,

    /// <summary>Defined by its own <c>[name]</c> header, or an element of an array of tables.</summary>
    Header,

    /// <summary>Created by a dotted key (<c>a.b = 1</c>); further dotted keys may extend it, headers may not define it.</summary>
    Dotted,

    /// <summary>Written as <c>{ ... }</c>; complete when closed, nothing may add to it.</summary>
    Inline,
}
