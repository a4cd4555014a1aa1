using LiveHub;
using LiveHub.Agenda;
using LiveHub.Calendar;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Discovery;
using LiveHub.Embed;
using LiveHub.Events;
using LiveHub.Health;
using LiveHub.Live;
using LiveHub.Localisation;
using LiveHub.Pages;
using LiveHub.Problems;
using LiveHub.Recap;
using LiveHub.Seeding;
using LiveHub.Staff;
using LiveHub.Operations;
using LiveHub.Questions;
using LiveHub.Venues;

SettingsCheck.ExitOnUnreadableSettings();
var builder = WebApplication.CreateBuilder(args);
builder.UseLiveHubWebRoot();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblems();
builder.Services.AddLocalisation();
builder.Services.AddOpenApi();
builder.Services.AddLiveHubDatabase(builder.Configuration, builder.Environment);
builder.Services.AddStaff();
builder.Services.AddSeeding(builder.Configuration, builder.Environment);
builder.Services.AddEvents();
builder.Services.AddVenues();
builder.Services.AddLive(builder.Configuration);
builder.Services.AddCrossPosting(builder.Configuration);
builder.Services.AddCalendar();
builder.Services.AddAgenda();
builder.Services.AddEmbed();
builder.Services.AddRecaps();
builder.Services.AddQuestions();
builder.Services.AddHealth();
builder.Services.AddOperations(builder.Configuration);
builder.Services.AddLiveHubHsts(builder.Configuration);

var app = builder.Build();
app.CheckSettings();

if (await CommandLine.RunAsync(app, args) is { } exitCode)
{
    return exitCode;
}

app.UseExceptionHandler();
app.UseLiveHubStatusCodePages();
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseSecurityHeaders();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseLocalisation();
app.UseRateLimiter();
app.UseAuthentication();
app.UseStaffAccountCheck();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi();
app.MapHealth();
app.MapStaff();
app.MapEvents();
app.MapVenues();
app.MapDiscovery();
app.MapLive();
app.MapCrossPosting();
app.MapCalendar();
app.MapAgenda();
app.MapEmbed();
app.MapRecaps();
app.MapQuestions();
app.MapOperations();

await app.RunUntilStoppedAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
