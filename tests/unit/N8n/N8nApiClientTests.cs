using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.N8n;
using InfluenceGen.Deploy.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.N8n
{
    /// <summary>The client's use of the one retry policy: idempotent calls retry (429 with
    /// Retry-After, 5xx, resets), creates never do; the key only ever travels in its header.</summary>
    [Trait("Category", "Fast")]
    public class N8nApiClientTests
    {
        private const string Key = "n8n_api_test_0123456789abcdef";

        private sealed class Scripted : HttpMessageHandler
        {
            private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers;
            public List<HttpRequestMessage> Requests { get; } = new List<HttpRequestMessage>();
            public Scripted(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) { _answers = new Queue<Func<HttpRequestMessage, HttpResponseMessage>>(answers); }
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Requests.Add(request);
                return Task.FromResult(_answers.Dequeue()(request));
            }
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string json) => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

        private static (N8nApiClient Client, RecordingTimeProvider Clock) Client(Scripted handler)
        {
            var clock = new RecordingTimeProvider();
            // The recording clock ends every wait at once, so the backoff can be realistic: a 10 ms base would now and
            // then jitter below 1 ms, which Task.Delay rounds to no wait (and no timer to record) at all.
            var retry = new RetryPolicy(maxAttempts: 4, baseDelay: TimeSpan.FromSeconds(1)) { TimeProvider = clock };
            return (new N8nApiClient(new Uri("http://n8n.test:5678/"), Key, NullDeployLog.Instance, retry, handler), clock);
        }

        [Fact]
        public async Task A_429_with_Retry_After_is_retried_after_that_wait_and_the_key_is_sent_in_its_header()
        {
            var handler = new Scripted(
                _ => { var r = Json((HttpStatusCode)429, "{\"message\":\"Too many requests\"}"); r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7)); return r; },
                _ => Json(HttpStatusCode.BadGateway, "{}"),
                _ => Json(HttpStatusCode.OK, "{\"data\":[{\"id\":\"a\",\"name\":\"A\"}],\"nextCursor\":null}"));
            var (client, clock) = Client(handler);
            List<JObject> list = await client.ListWorkflowsAsync(default, tag: "managed-by:influencegen");
            Assert.Single(list);
            Assert.Equal(3, handler.Requests.Count);
            Assert.Equal(TimeSpan.FromSeconds(7), clock.Waits[0]);
            Assert.Equal("http://n8n.test:5678/api/v1/workflows?limit=250&excludePinnedData=true&tags=managed-by%3Ainfluencegen", handler.Requests[0].RequestUri!.ToString());
            Assert.Equal(Key, handler.Requests[0].Headers.GetValues("X-N8N-API-KEY").Single());
            Assert.DoesNotContain(Key, handler.Requests[0].RequestUri!.ToString());
        }

        [Fact]
        public async Task A_delete_right_after_a_deactivation_waits_for_n8n_but_a_real_conflict_does_not()
        {
            // n8n 2.40.7's answer, seen against the real server in the prune test.
            var handler = new Scripted(
                _ => Json(HttpStatusCode.Conflict, "{\"message\":\"Workflow is still being unpublished. Please try again in a few moments.\"}"),
                _ => Json(HttpStatusCode.OK, "{\"id\":\"w1\"}"),
                _ => Json(HttpStatusCode.Conflict, "{\"message\":\"There is already a workflow with this name\"}"));
            var (client, clock) = Client(handler);
            await client.DeleteWorkflowAsync("w1", default);
            Assert.Equal(2, handler.Requests.Count);
            Assert.Single(clock.Waits);
            var ex = await Assert.ThrowsAsync<N8nApiException>(() => client.DeleteWorkflowAsync("w2", default));
            Assert.Equal(3, handler.Requests.Count);
            Assert.Contains("409", ex.Message);
        }

        [Fact]
        public async Task A_create_is_never_retried()
        {
            var handler = new Scripted(_ => Json(HttpStatusCode.ServiceUnavailable, "{\"message\":\"busy\"}"), _ => Json(HttpStatusCode.OK, "{\"id\":\"x\"}"));
            var (client, clock) = Client(handler);
            var ex = await Assert.ThrowsAsync<N8nApiException>(() => client.CreateWorkflowAsync(new JObject { ["name"] = "W" }, default));
            Assert.Single(handler.Requests);
            Assert.Empty(clock.Waits);
            Assert.Equal("N8nApiError", ex.ErrorId);
            Assert.Contains("503", ex.Message);
        }

        [Fact]
        public async Task An_update_and_an_activation_are_retried_but_a_400_is_not()
        {
            var handler = new Scripted(
                _ => Json(HttpStatusCode.InternalServerError, "{}"),
                _ => Json(HttpStatusCode.OK, "{\"id\":\"w1\",\"active\":false}"),
                _ => throw new HttpRequestException("Connection reset by peer", new System.IO.IOException("reset")),
                _ => Json(HttpStatusCode.OK, "{\"id\":\"w1\",\"active\":true}"),
                _ => Json(HttpStatusCode.BadRequest, "{\"message\":\"request/body/settings/saveDataErrorExecution must be equal to one of the allowed values: all, none\"}"));
            var (client, clock) = Client(handler);
            await client.UpdateWorkflowAsync("w1", new JObject(), default);
            JObject activated = await client.ActivateAsync("w1", default);
            Assert.True((bool)activated["active"]!);
            Assert.Equal(2, clock.Waits.Count);
            var ex = await Assert.ThrowsAsync<N8nApiException>(() => client.UpdateWorkflowAsync("w1", new JObject(), default));
            Assert.Equal("N8nRejected", ex.ErrorId);
            Assert.Contains("saveDataErrorExecution must be equal to one of the allowed values", ex.Message);
            Assert.Equal(5, handler.Requests.Count);
            Assert.Equal(2, clock.Waits.Count);
            Assert.Equal(2, client.Writes); // successful writes only
        }

        [Fact]
        public async Task A_refused_key_is_an_authentication_error_without_the_key()
        {
            var handler = new Scripted(_ => Json(HttpStatusCode.Unauthorized, "{\"message\":\"unauthorized\"}"));
            var (client, _) = Client(handler);
            var ex = await Assert.ThrowsAsync<N8nApiException>(() => client.ListWorkflowsAsync(default));
            Assert.Equal("N8nUnauthorized", ex.ErrorId);
            Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
            Assert.DoesNotContain(Key, ex.ToString());
            Assert.Single(handler.Requests);
        }
    }
}
