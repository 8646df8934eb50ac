// The input contract, case by case, as a new user met each break: bad input gets one line naming
// the file, line and field or flag and the real limit, exit 2; nothing crashes, hangs, wraps or
// answers wrongly. (Every numeric flag is also swept by numeric_flags_test.cc.)
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::ReadFile;
using testing::RunCli;
using testing::TempDir;

// One line on stderr, exit 2, naming `what`.
void ExpectRefused(const testing::CliRun& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

bool IsJson(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(text).get(doc) == simdjson::SUCCESS;
}

class InputContract : public ::testing::Test {
 protected:
  std::string Trace(const std::string& name, const std::string& lines) {
    return dir_.Write(name, lines);
  }
  TempDir dir_;
};

TEST_F(InputContract, ArrivalsNear2To63AreRefusedWhereTheyAreRead) {
  const std::string native =
      Trace("t.jsonl", R"({"id":1,"arrival_ns":9223372036854775807,"prompt_tokens":4,)"
                       R"("output_tokens":2})"
                       "\n");
  ExpectRefused(RunCli({"replay", native, "--model", "tiny"}),
                "t.jsonl:1: arrival_ns: must be at most 4611686018427387904 (2^62 ns");
  ExpectRefused(RunCli({"trace", "stats", native}), "t.jsonl:1: arrival_ns:");
  const std::string mooncake = Trace(
      "m.jsonl", R"({"timestamp":9223372036854,"input_length":5,"output_length":3,"hash_ids":[]})"
                 "\n");
  ExpectRefused(RunCli({"replay", mooncake, "--format", "mooncake", "--model", "tiny"}),
                "m.jsonl:1: timestamp: must be at most 4611686018427 ms");
}

TEST_F(InputContract, ThreadsBeyondTheMachineAreRefused) {
  const std::string t = Trace("t.jsonl", R"({"id":0,"arrival_ns":0,"prompt_tokens":4,)"
                                         R"("output_tokens":2})"
                                         "\n");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--backend", "omp", "--threads", "100000",
                        "--check"}),
                "--threads: must be a whole number from 0 to ");
}

TEST_F(InputContract, BudgetsAndProfilesStayWithinPhysicalRanges) {
  const std::string t = Trace("t.jsonl", R"({"id":0,"arrival_ns":0,"prompt_tokens":4,)"
                                         R"("output_tokens":2})"
                                         "\n");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--budget", "0"}), "--budget: must be");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--budget-bytes", "0"}), "--budget-bytes");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--budget-bytes", "-1"}), "--budget-bytes");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--budget", "1.8e10"}), "--budget");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--budget", "100"}),
                "--budget 100 asks for more memory than h100-sxm has");
  auto hardware = [&](const std::string& field, const std::string& value) {
    std::string json =
        R"({"name":"x","memory_bandwidth_gbs":100,"peak_tflops_bf16":1,"peak_tflops_fp32":1,)"
        R"("memory_gib":80,"launch_overhead_ns":0,"layer_overhead_ns":0})";
    const std::size_t at = json.find("\"" + field + "\":") + field.size() + 3;
    json.replace(at, json.find_first_of(",}", at) - at, value);
    return dir_.Write("hw.json", json);
  };
  ExpectRefused(
      RunCli({"replay", t, "--model", "tiny", "--hardware", hardware("memory_gib", "1e300")}),
      "hw.json: memory_gib: must be from");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--hardware",
                        hardware("memory_bandwidth_gbs", "1e-300")}),
                "hw.json: memory_bandwidth_gbs: must be from 0.1 to 1000000 GB/s, found 1e-300");
  ExpectRefused(
      RunCli({"replay", t, "--model", "tiny", "--hardware", hardware("peak_tflops_bf16", "1e-15")}),
      "peak_tflops_bf16: must be from 0.001");
}

TEST_F(InputContract, MetricsWithoutSamplesAreNullNotZero) {
  const std::string t = Trace("t.jsonl", R"({"id":0,"arrival_ns":0,"prompt_tokens":4,)"
                                         R"("output_tokens":0})"
                                         "\n");
  const auto json = RunCli({"replay", t, "--model", "tiny", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(IsJson(json.out)) << json.out;
  EXPECT_NE(json.out.find(R"("tpot":{"count":0,"mean_ns":null,"p50_ns":null,)"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find(R"("ttft":{"count":0,"mean_ns":null,)"), std::string::npos);
  const auto text = RunCli({"replay", t, "--model", "tiny"});
  EXPECT_NE(text.out.find("tpot             n/a"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("req/s"), std::string::npos) << text.out;
  // A report of two runs without samples shows n/a, and judges nothing by them.
  const auto report =
      RunCli({"report", "--candidate", "rwttt", t, "--backend", "cpu", "--fail-on-regress", "0"});
  EXPECT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_NE(report.out.find("| TPOT p50 (ms) | n/a | n/a | n/a | n/a |"), std::string::npos)
      << report.out;
  const auto sweep = RunCli({"bench", "sweep", "--model", "tiny", "--prompt", "1", "--output", "1",
                             "--streams", "1", "--chunks", "8"});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const std::string row = sweep.out.substr(sweep.out.find('\n') + 1);
  EXPECT_NE(row.find(",,,"), std::string::npos) << row;  // tpot p50 and p99 empty, not 0.0000
  EXPECT_EQ(row.find("0.0000,0.0000"), std::string::npos) << row;
}

TEST_F(InputContract, EveryJsonFileIsValidUtf8AndANonUtf8TraceNameStillChecks) {
  const std::string name = dir_.File("x\xffy.jsonl");
  ASSERT_EQ(
      RunCli({"gen", "--count", "3", "--prompt", "fixed:9", "--output", "fixed:3", "-o", name})
          .exit_code,
      0);
  const std::string history = dir_.File("h.jsonl");
  const auto r = RunCli(
      {"replay", name, "--model", "tiny", "--json", "--history", history, "--backend", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsJson(r.out)) << r.out;
  EXPECT_NE(r.out.find(R"("trace":")"), std::string::npos);
  EXPECT_EQ(r.out.find('\xff'), std::string::npos);
  const std::string header = ReadFile(history).substr(0, ReadFile(history).find('\n'));
  EXPECT_TRUE(IsJson(header)) << header;
  EXPECT_NE(header.find(R"("trace":"h.trace.jsonl")"), std::string::npos) << header;
  const auto check = RunCli({"check", history});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("all 5 checks ran"), std::string::npos) << check.out;
}

TEST_F(InputContract, ProfilesShowJudgesTheKindAndListsBothPresetKinds) {
  ExpectRefused(RunCli({"profiles", "--show", "foo"}), "not a model preset (tiny,");
  EXPECT_NE(RunCli({"profiles", "--show", "foo"}).err.find("not a hardware preset (h100-sxm"),
            std::string::npos);
  const std::string bad_model = dir_.Write("m.json", R"({"name":"m","state_kind":"bogus"})");
  ExpectRefused(RunCli({"profiles", "--show", bad_model}),
                "m.json: state_kind: unknown state_kind");
  EXPECT_EQ(RunCli({"profiles", "--show", "tiny"}).exit_code, 0);
  EXPECT_EQ(RunCli({"profiles", "--show", "h100-sxm"}).exit_code, 0);
}

TEST_F(InputContract, BenchPaperRunsOneStreamAndComparesOnlyThePapersSetup) {
  const auto one = RunCli({"bench", "paper", "--streams", "1", "--output", "64"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("is not compared with them"), std::string::npos) << one.out;
  const auto tiny = RunCli({"bench", "paper", "--model", "tiny", "--output", "16"});
  ASSERT_EQ(tiny.exit_code, 0) << tiny.err;
  EXPECT_EQ(tiny.out.find('%'), std::string::npos) << tiny.out;  // no error against the paper
  EXPECT_NE(tiny.out.find("memory budget 35.032 KiB"), std::string::npos) << tiny.out;
  const auto json = RunCli({"bench", "paper", "--model", "tiny", "--output", "16", "--json"});
  EXPECT_NE(json.out.find(R"("paper":{"tokens_per_s":null,)"), std::string::npos) << json.out;
  // Too small a budget names the sizes that do not fit.
  const auto small = RunCli({"bench", "paper", "--budget", "10"});
  ExpectRefused(small, "exceed the memory budget (10.000 GiB)");
  EXPECT_NE(small.err.find("GiB"), std::string::npos);
}

TEST_F(InputContract, ErrorsGiveTheRealReasonAndLimit) {
  ExpectRefused(RunCli({"gen", "--duration", "5", "--rate", "1e9"}),
                "--duration 5 at --rate 1000000000 would generate about 5e+09 requests; at most "
                "1000000000 can be generated");
  ExpectRefused(RunCli({"gen", "--duration", "1e10"}),
                "--duration: must be a number above 0 and at most 1000000000, found 1e10");
  ExpectRefused(RunCli({"gen", "--count", "1", "--prompt", "lognormal:1e30:1"}),
                "MEAN must be from 1 to 2147483647 tokens, found 1e30");
  ExpectRefused(RunCli({"gen", "--count", "1", "--prompt", "fixed:2147483648"}),
                "N must be a whole number of tokens from 0 to 2147483647, found 2147483648");
  ExpectRefused(RunCli({"gen", "--count", "1", "-o", ""}), "an output file name is empty");
  const std::string t =
      Trace("t.jsonl",
            "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n"
            "{\"id\":1,\"arrival_ns\":1000000000,\"prompt_tokens\":4,\"output_tokens\":2}\n"
            "{\"id\":2,\"arrival_ns\":2000000000,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  const auto stats = RunCli({"trace", "stats", t, "--rate", "1e-30"});
  ExpectRefused(stats, "--rate 1e-30 stretches the trace's 2 s of arrivals");
  EXPECT_EQ(stats.err.find("--time-scale"), std::string::npos) << stats.err;
}

// traces/ names option fields (`rate_per_s`, `count`); the CLI says each as the flag a user typed,
// whole line for whole line (cli/flag_errors.h).
TEST_F(InputContract, TraceAndGeneratorErrorsSayTheFlags) {
  const std::string one =
      Trace("one.jsonl", R"({"id":0,"arrival_ns":0,"prompt_tokens":4,"output_tokens":2})"
                         "\n");
  const std::string two =
      Trace("two.jsonl",
            R"({"id":0,"arrival_ns":0,"prompt_tokens":4,"output_tokens":2})"
            "\n"
            R"({"id":1,"arrival_ns":1000000000000000000,"prompt_tokens":4,"output_tokens":2})"
            "\n");
  const std::string csv = Trace("c.csv", "a,b,c\n1,2,3\n");
  const std::string mooncake =
      Trace("m.jsonl", R"({"timestamp": 1, "input_length": 3, "output_length": 2})"
                       "\n");
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"gen"}, "give exactly one of --count and --duration"},
      {{"gen", "--duration", "5", "--rate", "1e9"},
       "--duration 5 at --rate 1000000000 would generate about 5e+09 requests; at most 1000000000 "
       "can be generated"},
      {{"trace", "stats", one, "--rate", "2"},
       one + ": --rate needs at least two requests at different times; 1 left after shaping"},
      {{"trace", "stats", two, "--rate", "1e-30"},
       two + ": --rate 1e-30 stretches the trace's 1e+09 s of arrivals to 1e+30 s, past the 2^62 "
             "ns (about 146 years) a trace may span"},
      {{"trace", "stats", two, "--time-scale", "10"},
       two + ": --time-scale 10 stretches the trace's 1e+09 s of arrivals to 1e+10 s, past the "
             "2^62 ns (about 146 years) a trace may span"},
      {{"trace", "stats", two, "--skip-bad-rows"},
       "--skip-bad-rows applies to imported formats, not to native traces"},
      {{"trace", "stats", csv},
       csv + ":1: expected a JSON object (this looks like CSV: an Azure or BurstGPT trace needs "
             "--format azure or --format burstgpt)"},
      {{"trace", "stats", mooncake},
       mooncake + ":1: timestamp: unknown field (see docs/formats.md#trace) (this looks like a "
                  "Mooncake trace: give --format mooncake)"},
  };
  for (const auto& [args, line] : cases) {
    const testing::CliRun r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.err;
    EXPECT_EQ(r.err, "rwttt: error: " + line + "\n");
  }
}

TEST_F(InputContract, AByteOrderMarkIsNotContentAndAnotherFormatGetsAHint) {
  const std::string bom =
      Trace("b.jsonl",
            "\xEF\xBB\xBF{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  EXPECT_EQ(RunCli({"trace", "stats", bom}).exit_code, 0);
  const std::string history = dir_.File("h.jsonl");
  ASSERT_EQ(RunCli({"replay", bom, "--model", "tiny", "--history", history, "--backend", "cpu"})
                .exit_code,
            0);
  const std::string bom_history = dir_.Write("bh.jsonl", "\xEF\xBB\xBF" + ReadFile(history));
  EXPECT_EQ(RunCli({"check", bom_history, "--no-reference"}).exit_code, 0);
  const std::string csv = Trace("c.csv",
                                "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                "2023-11-16 18:15:46.6805900,374,44\n");
  ExpectRefused(RunCli({"trace", "stats", csv}), "needs --format azure or --format burstgpt");
  const std::string mooncake =
      Trace("m.jsonl", R"({"timestamp":5,"input_length":5,"output_length":3,"hash_ids":[]})"
                       "\n");
  ExpectRefused(RunCli({"replay", mooncake, "--model", "tiny"}), "give --format mooncake");
}

TEST_F(InputContract, ReportShowsTheSignedChangeAndItsDirectionApart) {
  ASSERT_EQ(RunCli({"gen", "--count", "12", "--rate", "200", "--prompt", "uniform:4:30", "--output",
                    "uniform:2:20", "--seed", "3", "-o", dir_.File("t.jsonl")})
                .exit_code,
            0);
  const auto r = RunCli({"report", "--baseline", "sequential", "--candidate", "rwttt",
                         dir_.File("t.jsonl"), "--backend", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| | baseline | candidate | change | |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("% | better |"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("-0.0%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(KiB)"), std::string::npos) << r.out;  // tiny memories in a unit that shows
  // An unwritable --json fails before the runs.
  ExpectRefused(RunCli({"report", "--candidate", "rwttt", dir_.File("t.jsonl"), "--json",
                        "/proc/no/such/dir/r.json"}),
                "/proc/no/such/dir/r.json");
}

TEST_F(InputContract, TraceStatsSaysNaWhenAllArrivalsCoincide) {
  const std::string t =
      Trace("t.jsonl",
            "{\"id\":0,\"arrival_ns\":5,\"prompt_tokens\":4,\"output_tokens\":2}\n"
            "{\"id\":1,\"arrival_ns\":5,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  const auto r = RunCli({"trace", "stats", t});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("rate     n/a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("burst    n/a"), std::string::npos) << r.out;
  const auto json = RunCli({"trace", "stats", t, "--json"});
  EXPECT_NE(json.out.find(R"("rate_per_s":null,"interarrival_cv":null)"), std::string::npos)
      << json.out;
}

TEST_F(InputContract, FuzzNeverLosesAFindingAndItsJunitSaysHowToReproduceIt) {
  const std::string junit = dir_.File("j.xml");
  const auto r =
      RunCli({"fuzz", "--policy", "naive", "--max-owners", "4", "--iterations", "5", "--seed", "3",
              "--out", "/proc/no/such/dir", "--junit", junit, "--shard", "1/2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("FAIL seed 3 iteration"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("could not be saved"), std::string::npos) << r.out;
  const std::string xml = ReadFile(junit);
  EXPECT_EQ(xml.find("<testsuites>"), xml.find('\n') + 1) << xml;
  EXPECT_NE(xml.find("name=\"rwttt fuzz naive seed 3 shard 1/2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("reproduce: rwttt replay "), std::string::npos) << xml;
  EXPECT_NE(xml.find("shrunk trace: not saved"), std::string::npos) << xml;
}

TEST_F(InputContract, AFlagThatWouldBeIgnoredOrOverriddenIsAnError) {
  const std::string t = Trace("t.jsonl", R"({"id":0,"arrival_ns":0,"prompt_tokens":4,)"
                                         R"("output_tokens":2})"
                                         "\n");
  ExpectRefused(RunCli({"replay", t, "--model", "tiny", "--policy-opt", "max_batch=2",
                        "--policy-opt", "max_batch=3"}),
                "the key max_batch is given twice");
  ExpectRefused(RunCli({"backends", "--model", "tiny"}), "--model requires --check");
}

TEST_F(InputContract, TimelineTracksAreDenseWithTheOwnerIdInArgs) {
  const std::string t = Trace(
      "t.jsonl",
      "{\"id\":18446744073709551615,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  const std::string timeline = dir_.File("t.json");
  ASSERT_EQ(RunCli({"replay", t, "--model", "tiny", "--timeline", timeline}).exit_code, 0);
  const std::string json = ReadFile(timeline);
  EXPECT_TRUE(IsJson(json));
  EXPECT_EQ(json.find("\"tid\":18446744073709551615"), std::string::npos);
  EXPECT_NE(json.find(R"("args":{"name":"owner 18446744073709551615"})"), std::string::npos);
  EXPECT_NE(json.find(R"("owner":"18446744073709551615")"), std::string::npos);
}

}  // namespace
}  // namespace rwttt
