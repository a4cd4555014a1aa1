namespace LiveHub.Localisation;

/// <summary>
/// The anchor of the site's text resources (Strings.resx for English, Strings.cy.resx for Welsh). The keys are the
/// English text itself, so a page reads as it renders: <c>@L["Programme"]</c>.
/// </summary>
public sealed class Strings;
