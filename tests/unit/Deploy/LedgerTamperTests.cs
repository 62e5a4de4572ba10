using System;
using System.Linq;
using System.Threading;
using InfluenceGen.Deploy.Deploy;
using Newtonsoft.Json.Linq;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>The ledger against the two tamperings a plain hash chain misses: lines cut at the end, and an
    /// edit with the whole chain recomputed. Real ledgers written over the real sshd.</summary>
    public class LedgerTamperTests
    {
        private const string Key = "ledger-key-7f3a-not-on-the-target";

        private static string[] ThreeEntries(DeployTarget t, out DeploymentRecord last)
        {
            using var addons = new AddonSet(2);
            DeploymentRecord r = null!;
            foreach (string v in new[] { "1.0.0", "1.1.0", "1.2.0" })
            {
                addons.Write("ig_gen_01", v, "# " + v + "\n");
                using var ssh = t.Ssh();
                r = t.Service(ssh).DeployAsync(new DeployRequest { Package = DeployPackage.Open(addons.Build(v + ".zip")), User = "tester" }, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            }
            last = r;
            return t.LedgerLines;
        }

        /// <summary>The "ten-line script": edit a line, then recompute every plain sha256 of the chain from there.</summary>
        private static string[] Recompute(string[] lines, int edited, Func<string, string> edit)
        {
            var result = lines.ToArray();
            result[edited] = edit(result[edited]);
            for (int i = 0; i < result.Length; i++)
            {
                var o = JObject.Parse(result[i]);
                o["PreviousHash"] = i == 0 ? DeploymentLedger.Genesis : DeploymentLedger.Sha256Hex(result[i - 1]);
                o.Remove("Hash");
                o.Remove("HashKind");
                string body = o.ToString(Newtonsoft.Json.Formatting.None);
                o["Hash"] = DeploymentLedger.Sha256Hex(body);
                result[i] = o.ToString(Newtonsoft.Json.Formatting.None);
            }
            return result;
        }

        [Fact]
        public void LinesRemovedAtTheEndAreDetectedAgainstTheHeadKeptOutsideTheTarget()
        {
            using var t = new DeployTarget();
            string[] lines = ThreeEntries(t, out DeploymentRecord last);
            Assert.Equal(last.Hash, DeploymentLedger.Parse(string.Join("\n", lines), true).Last().Hash);   // the result carries the head
            string cut = string.Join("\n", lines.Take(2));
            // a plain chain cut at the end still verifies: only the anchored head tells
            Assert.All(DeploymentLedger.Parse(cut, true), r => Assert.True(r.Verified));
            var anchored = DeploymentLedger.Parse(cut, true, expectedHead: last.Hash);
            Assert.False(anchored.Last().Verified);
            Assert.Contains("expected head", anchored.Last().VerifyProblem);
            Assert.All(DeploymentLedger.Parse(string.Join("\n", lines), true, expectedHead: last.Hash), r => Assert.True(r.Verified));
            Assert.False(DeploymentLedger.Parse("", true, expectedHead: last.Hash).Single().Verified);   // emptied
        }

        [Fact]
        public void AnEditWithTheChainRecomputedIsDetectedWithTheLedgerKey()
        {
            using var t = new DeployTarget();
            t.Settings.LedgerKey = Key;
            string[] lines = ThreeEntries(t, out _);
            Assert.All(lines, l => Assert.DoesNotContain(Key, l));
            Assert.All(DeploymentLedger.Parse(string.Join("\n", lines), true, Key), r => Assert.True(r.Verified, r.VerifyProblem));
            // unkeyed recomputation (what anyone on the target can do)
            string[] forged = Recompute(lines, 1, l => l.Replace("\"Succeeded\"", "\"Failed\""));
            Assert.All(DeploymentLedger.Parse(string.Join("\n", forged), true), r => Assert.True(r.Verified));   // a plain chain is fooled
            var keyed = DeploymentLedger.Parse(string.Join("\n", forged), true, Key);
            Assert.Contains(keyed, r => r.Verified == false);
            // the whole ledger rewritten without the key
            string[] rewritten = Recompute(lines, 0, l => l);
            Assert.Contains(DeploymentLedger.Parse(string.Join("\n", rewritten), true, Key), r => r.Verified == false);
            // recomputed keyed with a guessed key
            string[] wrongKey = lines.ToArray();
            var rec = DeploymentLedger.Parse(lines[1], false).Single(); rec.Status = "Failed";
            wrongKey[1] = DeploymentLedger.ToLine(rec, lines[0], "guessed");
            Assert.False(DeploymentLedger.Parse(string.Join("\n", wrongKey), true, Key)[1].Verified);
        }
    }
}
