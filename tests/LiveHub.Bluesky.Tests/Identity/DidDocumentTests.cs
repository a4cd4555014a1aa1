using System.Text.Json;

namespace LiveHub.Bluesky.Tests.Identity;

public sealed class DidDocumentTests
{
    [Fact]
    public void The_pds_is_the_first_atproto_pds_service_of_the_right_type_not_the_first_service()
    {
        const string json = """
            {"id":"did:plc:abc","alsoKnownAs":["at://confbot.test"],
             "service":[
               {"id":"#atproto_labeler","type":"AtprotoLabeler","serviceEndpoint":"https://labeler.example"},
               {"id":"#atproto_pds","type":"SomethingElse","serviceEndpoint":"https://wrong-type.example"},
               {"id":"#atproto_pds_old","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://wrong-id.example"},
               {"id":"did:plc:abc#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example"},
               {"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://second.example"}]}
            """;
        using var document = JsonDocument.Parse(json);

        var parsed = DidDocument.Parse(document.RootElement);

        Assert.Equal("https://pds.example", parsed.PdsEndpoint);
        Assert.Equal("confbot.test", parsed.Handle);
    }

    [Fact]
    public void Did_documents_are_fetched_from_the_plc_directory_or_the_web_host()
    {
        var plc = new Uri("http://127.0.0.1:2582/");

        Assert.Equal("http://127.0.0.1:2582/did:plc:hsqfzdnoc4vcipu2vlbect2w", IdentityApi.DidDocumentUrl("did:plc:hsqfzdnoc4vcipu2vlbect2w", plc).ToString());
        Assert.Equal("https://example.com/.well-known/did.json", IdentityApi.DidDocumentUrl("did:web:example.com", plc).ToString());
        Assert.Throws<ArgumentException>(() => IdentityApi.DidDocumentUrl("did:key:z6Mk", plc));
    }
}
