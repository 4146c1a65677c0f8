#include "telemetry/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using signet::Errc;
using signet::daemon::Histogram;
using signet::daemon::metrics;
using signet::daemon::Stage;
using signet::daemon::StageTimer;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The samples of a render, by "name{labels}" (or "name" when it has no labels).
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    for (const auto& line : lines_of(text)) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.rfind(' ');
        BOOST_REQUIRE_MESSAGE(space != std::string::npos, "no value in: " << line);
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

double sample(const std::string& key) {
    auto all = samples(metrics().render());
    auto it = all.find(key);
    BOOST_REQUIRE_MESSAGE(it != all.end(), "no sample " << key);
    return it->second;
}

double sample_or_zero(const std::string& key) {
    auto all = samples(metrics().render());
    auto it = all.find(key);
    return it == all.end() ? 0.0 : it->second;
}

std::string stage_count(std::string_view stage) {
    return "signet_stage_seconds_count{stage=\"" + std::string(stage) + "\"}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_registry)

BOOST_AUTO_TEST_CASE(render_is_prometheus_text) {
    metrics().job("seal", "done");
    const std::string text = metrics().render();
    BOOST_REQUIRE(!text.empty());
    BOOST_TEST(text.back() == '\n');

    // Text format 0.0.4: HELP and TYPE once per family, before its samples; sample lines are
    // `name{label="value",...} number`.
    static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
    static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex sample_line(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? ([-+]?[0-9.eE+-]+|\+Inf|NaN))");
    std::set<std::string> helped;
    std::map<std::string, std::string> typed;
    for (const auto& line : lines_of(text)) {
        std::smatch match;
        BOOST_TEST_CONTEXT(line) {
            if (std::regex_match(line, match, help)) {
                BOOST_TEST(helped.insert(match[1]).second);
            } else if (std::regex_match(line, match, type)) {
                BOOST_TEST(helped.count(match[1]) == 1U);  // HELP comes first
                BOOST_TEST(typed.emplace(match[1], match[2]).second);
            } else {
                BOOST_REQUIRE(std::regex_match(line, match, sample_line));
                std::string name = match[1];
                for (std::string suffix : {"_bucket", "_sum", "_count"}) {
                    if (!typed.count(name) && name.ends_with(suffix)) name.resize(name.size() - suffix.size());
                }
                BOOST_TEST(typed.count(name) == 1U);  // a sample follows its family's TYPE
            }
        }
    }
    BOOST_TEST(typed["signet_jobs_total"] == "counter");
    BOOST_TEST(typed["signet_refusals_total"] == "counter");
    BOOST_TEST(typed["signet_stage_seconds"] == "histogram");
    BOOST_TEST(typed["signet_hsm_errors_total"] == "counter");
    BOOST_TEST(typed.size() == 4U);
}

BOOST_AUTO_TEST_CASE(every_refusal_code_is_rendered) {
    auto all = samples(metrics().render());
    for (int i = 0; i <= static_cast<int>(Errc::internal); ++i) {
        std::string key = "signet_refusals_total{reason=\"" + std::string(to_string(static_cast<Errc>(i))) + "\"}";
        BOOST_TEST(all.count(key) == 1U, key);
    }
    BOOST_TEST(all.count("signet_hsm_errors_total") == 1U);
}

BOOST_AUTO_TEST_CASE(refusal_counts_by_code) {
    const std::string forbidden = "signet_refusals_total{reason=\"forbidden\"}";
    const std::string internal = "signet_refusals_total{reason=\"internal\"}";
    const std::string conflict = "signet_refusals_total{reason=\"conflict\"}";
    double forbidden_before = sample(forbidden), internal_before = sample(internal), conflict_before = sample(conflict);
    metrics().refusal(Errc::forbidden);
    metrics().refusal(Errc::forbidden);
    metrics().refusal(Errc::internal);  // the last code of the enum has its slot too
    BOOST_TEST(sample(forbidden) == forbidden_before + 2);
    BOOST_TEST(sample(internal) == internal_before + 1);
    BOOST_TEST(sample(conflict) == conflict_before);
}

BOOST_AUTO_TEST_CASE(job_counts_by_kind_and_outcome) {
    const std::string done = "signet_jobs_total{kind=\"sign\",outcome=\"done\"}";
    const std::string refused = "signet_jobs_total{kind=\"sign\",outcome=\"invalid_document\"}";
    double done_before = sample_or_zero(done), refused_before = sample_or_zero(refused);
    metrics().job("sign", "done");
    metrics().job("sign", "done");
    metrics().job("sign", "invalid_document");
    BOOST_TEST(sample(done) == done_before + 2);
    BOOST_TEST(sample(refused) == refused_before + 1);
}

BOOST_AUTO_TEST_CASE(hsm_error_counts) {
    double before = sample("signet_hsm_errors_total");
    metrics().hsm_error();
    BOOST_TEST(sample("signet_hsm_errors_total") == before + 1);
}

BOOST_AUTO_TEST_CASE(stage_timer_observes_its_stage_only) {
    double pdf_before = sample(stage_count("pdf")), hsm_before = sample(stage_count("hsm"));
    double pdf_sum_before = sample("signet_stage_seconds_sum{stage=\"pdf\"}");
    {
        StageTimer timer(Stage::pdf);
        BOOST_TEST(sample(stage_count("pdf")) == pdf_before);  // nothing until the scope ends
    }
    BOOST_TEST(sample(stage_count("pdf")) == pdf_before + 1);
    BOOST_TEST(sample(stage_count("hsm")) == hsm_before);
    BOOST_TEST(sample("signet_stage_seconds_sum{stage=\"pdf\"}") >= pdf_sum_before);

    double audit_before = sample(stage_count("audit"));
    double audit_sum_before = sample("signet_stage_seconds_sum{stage=\"audit\"}");
    metrics().stage(Stage::audit, 2s);
    BOOST_TEST(sample(stage_count("audit")) == audit_before + 1);
    BOOST_TEST(sample("signet_stage_seconds_sum{stage=\"audit\"}") == audit_sum_before + 2.0,
               boost::test_tools::tolerance(1e-6));
    // 2 s falls in le="2.5" and above, not in le="1".
    auto all = samples(metrics().render());
    BOOST_TEST(all.at("signet_stage_seconds_bucket{stage=\"audit\",le=\"2.5\"}") >= 1.0);
    BOOST_TEST(all.at("signet_stage_seconds_bucket{stage=\"audit\",le=\"+Inf\"}") ==
               all.at(stage_count("audit")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(histogram)

BOOST_AUTO_TEST_CASE(buckets_are_cumulative_with_inclusive_bounds) {
    Histogram h;
    h.observe(500us);    // exactly the first bound: le="0.0005"
    h.observe(3ms);      // le="0.005"
    h.observe(1s);       // exactly le="1"
    h.observe(11s);      // above the last bound: only +Inf
    auto all = samples(h.render("t", "k=\"v\""));
    auto bucket = [&](std::string le) { return all.at("t_bucket{k=\"v\",le=\"" + le + "\"}"); };
    BOOST_TEST(bucket("0.0005") == 1.0);
    BOOST_TEST(bucket("0.001") == 1.0);
    BOOST_TEST(bucket("0.0025") == 1.0);
    BOOST_TEST(bucket("0.005") == 2.0);
    BOOST_TEST(bucket("0.5") == 2.0);
    BOOST_TEST(bucket("1") == 3.0);
    BOOST_TEST(bucket("10") == 3.0);
    BOOST_TEST(bucket("+Inf") == 4.0);
    BOOST_TEST(all.at("t_count{k=\"v\"}") == 4.0);
    BOOST_TEST(all.at("t_sum{k=\"v\"}") == 12.0035, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(all.size() == Histogram::bounds.size() + 3);  // buckets, +Inf, _sum, _count
}

BOOST_AUTO_TEST_CASE(renders_without_labels) {
    Histogram h;
    auto text = h.render("empty", "");
    auto all = samples(text);
    BOOST_TEST(all.at("empty_bucket{le=\"0.1\"}") == 0.0);
    BOOST_TEST(all.at("empty_bucket{le=\"+Inf\"}") == 0.0);
    BOOST_TEST(all.at("empty_sum") == 0.0);
    BOOST_TEST(all.at("empty_count") == 0.0);
    BOOST_TEST(text.find("{,") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
