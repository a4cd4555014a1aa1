using System.Net.Http.Json;
using LiveHub.Bluesky.RichText;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.Localisation;

/// <summary>Bluesky posts carry the languages of their text; a bilingual update is Welsh first, then English.</summary>
public abstract class BilingualCrossPostingTests(DatabaseProvider provider) : IAsyncLifetime
{
    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(provider);
        _host = _database.Host(_pds);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    [Fact]
    public async Task Updates_are_posted_with_the_languages_of_their_text_welsh_first_in_one_post_or_two_in_order()
    {
        var live = await ScenarioAsync(_host, _pds, hashtags: "Cymru");
        await live.PostAsync("English only.");
        await live.PostAsync("", extra: new { kind = "update", body = "The minister arrives.", bodyCy = "Mae’r gweinidog yn cyrraedd." });
        var longEnglish = string.Join(' ', Enumerable.Repeat("The committee heard evidence on rural broadband.", 4));
        var longWelsh = string.Join(' ', Enumerable.Repeat("Clywodd y pwyllgor dystiolaeth am fand eang gwledig.", 4));
        await live.PostAsync("", extra: new { kind = "keyMoment", body = longEnglish, bodyCy = longWelsh });
        await live.PostAsync("Questions now.");

        await _pds.WaitForPostsAsync(6, Patience);
        await Task.Delay(200);
        var posts = _pds.Posts();
        Assert.Equal(6, posts.Count);
        AssertOneThread(posts);

        // An update in one language has the account's default language (none is set here), as before.
        Assert.Equal("English only.\n\n#Cymru", posts[1].Text);
        Assert.Empty(posts[1].Langs);

        Assert.Equal("Mae’r gweinidog yn cyrraedd.\n\nThe minister arrives.\n\n#Cymru", posts[2].Text);
        Assert.Equal(["cy", "en"], posts[2].Langs);

        Assert.StartsWith("Moment allweddol: Clywodd y pwyllgor", posts[3].Text, StringComparison.Ordinal);
        Assert.EndsWith("#Cymru", posts[3].Text, StringComparison.Ordinal);
        Assert.Equal(["cy"], posts[3].Langs);
        Assert.StartsWith("Key moment: The committee heard", posts[4].Text, StringComparison.Ordinal);
        Assert.Equal(["en"], posts[4].Langs);
        Assert.True(PostText.Fits(posts[3].Text!) && PostText.Fits(posts[4].Text!));

        Assert.Equal("Questions now.\n\n#Cymru", posts[5].Text);
        Assert.Empty(posts[5].Langs);

        var rows = await _host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking().Where(i => i.StreamId == live.StreamId).OrderBy(i => i.ChangeSequence).ThenBy(i => i.Part).ToListAsync());
        var bilingual = rows.Where(r => r.Langs is "cy" or "en").ToList();
        Assert.Equal([(0, 2, "cy"), (1, 2, "en")], bilingual.Select(r => (r.Part, r.PartCount, r.Langs)));
        Assert.Single(bilingual.Select(r => r.ChangeSequence).Distinct());
    }

    [Fact]
    public async Task A_correction_of_a_bilingual_update_is_bilingual_too()
    {
        var live = await ScenarioAsync(_host, _pds);
        var post = await live.PostAsync("", extra: new { kind = "update", body = "Ten villages.", bodyCy = "Deg pentref." });
        await _pds.WaitForPostsAsync(2, Patience);

        var edit = await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}",
            new { kind = "update", body = "Twelve villages.", bodyCy = "Deuddeg pentref." });
        Assert.True(edit.IsSuccessStatusCode, await edit.Content.ReadAsStringAsync());

        await _pds.WaitForPostsAsync(3, Patience);
        var correction = _pds.Posts()[2];
        Assert.Equal("Cywiriad: Deuddeg pentref.\n\nCorrection: Twelve villages.", correction.Text);
        Assert.Equal(["cy", "en"], correction.Langs);
    }

    [Fact]
    public void Composition_puts_welsh_first_and_splits_only_when_both_do_not_fit()
    {
        var post = new LivePost { Body = "The vote is carried.", BodyCy = "Mae’r bleidlais wedi’i phasio.", Kind = LivePostKind.Update };

        var one = CrossPostText.ComposeParts(post, null, "senedd", correction: false);
        Assert.Equal([new CrossPostPart("Mae’r bleidlais wedi’i phasio.\n\nThe vote is carried.\n\n#senedd", "cy,en")], one);

        post.Body = new string('e', 200);
        post.BodyCy = new string('c', 200);
        var two = CrossPostText.ComposeParts(post, null, null, correction: false);
        Assert.Equal([new CrossPostPart(new string('c', 200), "cy"), new CrossPostPart(new string('e', 200), "en")], two);

        post.BodyCy = null;
        Assert.Equal([new CrossPostPart(new string('e', 200), null)], CrossPostText.ComposeParts(post, null, null, correction: false));
    }
}

public sealed class BilingualCrossPostingOnSqlite() : BilingualCrossPostingTests(DatabaseProvider.Sqlite);

public sealed class BilingualCrossPostingOnPostgres() : BilingualCrossPostingTests(DatabaseProvider.Postgres);
