using LiveHub.Localisation;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.Localization;

namespace LiveHub.Tests.Localisation.Fixtures;

// What the Razor compiler makes of three small components, written out by hand (this project does not compile
// .razor files): the check in HardCodedEnglishTests must find the first two and let the third through.

/// <summary><c>&lt;p&gt;Hello&lt;/p&gt;</c></summary>
public sealed class HardCodedParagraph : ComponentBase
{
    protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddMarkupContent(0, "<p>Hello</p>");
}

/// <summary><c>&lt;input placeholder="Find things" value="@Value" /&gt;</c></summary>
public sealed class HardCodedAttribute : ComponentBase
{
    [Parameter] public string? Value { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "input");
        builder.AddAttribute(1, "placeholder", "Find things");
        builder.AddAttribute(2, "value", Value);
        builder.CloseElement();
    }
}

/// <summary><c>&lt;p class="greeting"&gt;@L["Hello"]&lt;/p&gt;</c></summary>
public sealed class LocalisedParagraph : ComponentBase
{
    [Inject] public IStringLocalizer<Strings> L { get; set; } = default!;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "p");
        builder.AddAttribute(1, "class", "greeting");
        builder.AddContent(2, L["Hello"]);
        builder.CloseElement();
    }
}
