// What signetd refuses, and that it keeps serving after each refusal.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include <boost/beast/http/verb.hpp>

#include "api/routing/route_table.hpp"
#include "devpki/dev_pki.hpp"
#include "store/database.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"

namespace {

using signet::test::installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

using signet::test::seal_body;

// The status and error code of a refused request, then proof the daemon still serves.
void expect_refusal(const signet::test::HttpResult& result, int status, const std::string& code,
                    const std::string& message_fragment = "") {
    BOOST_TEST(result.status == status, result.body << result.curl_output);
    if (!result.body.empty()) {
        auto body = result.json();
        BOOST_TEST(body.at("error").get<std::string>() == code);
        BOOST_TEST(!body.at("message").get<std::string>().empty());
        if (!message_fragment.empty()) {
            BOOST_TEST(body.at("message").get<std::string>().find(message_fragment) !=
                           std::string::npos,
                       body.at("message").get<std::string>());
        }
    } else {
        BOOST_ERROR("no JSON error body");
    }
    BOOST_TEST(installation().healthy());
}

std::string sample_pdf(const TempDir& work) {
    return read_file(signet::test::ps2pdf_sample(work.path(), "sample", 3));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bad_requests)

BOOST_AUTO_TEST_CASE(malformed_json) {
    expect_refusal(installation().request("POST", "/v1/seal", "{\"tenant\": "), 400, "bad_request",
                   "not valid JSON");
    expect_refusal(installation().request("POST", "/v1/seal", "[1, 2]"), 400, "bad_request");
}

BOOST_AUTO_TEST_CASE(missing_and_wrong_fields) {
    TempDir work;
    std::string pdf = sample_pdf(work);
    expect_refusal(installation().request("POST", "/v1/seal", R"({"actor": "a", "document": "JVBERg=="})"),
                   400, "bad_request", "'tenant' is missing");
    expect_refusal(installation().request("POST", "/v1/seal", R"({"tenant": "t", "actor": "a"})"), 400,
                   "bad_request", "'document' is missing");
    expect_refusal(installation().request("POST", "/v1/seal", R"({"tenant": 5, "actor": "a", "document": "JVBERg=="})"),
                   400, "bad_request", "'tenant' must be a string");
    expect_refusal(installation().request("POST", "/v1/seal", seal_body(pdf, R"(, "colour": "red")")),
                   400, "bad_request", "'colour'");
    expect_refusal(installation().request("POST", "/v1/seal",
                                          seal_body(pdf, R"(, "appearance": {"page": 1, "rect": [10, 10, 5, 50]})")),
                   400, "bad_request", "x1 < x2");
}

BOOST_AUTO_TEST_CASE(bad_base64) {
    expect_refusal(installation().request("POST", "/v1/seal",
                                          R"({"tenant": "t", "actor": "a", "document": "JVBER!g="})"),
                   400, "bad_request", "base64");
    expect_refusal(installation().request("POST", "/v1/seal",
                                          R"({"tenant": "t", "actor": "a", "document": "JVBERg="})"),
                   400, "bad_request", "base64");
}

BOOST_AUTO_TEST_CASE(wrong_content_type_and_unknown_path) {
    expect_refusal(installation().request("POST", "/v1/seal", "{}", "platform", "text/plain"), 400,
                   "bad_request", "JSON");
    expect_refusal(installation().request("GET", "/v1/nothing", ""), 404, "not_found");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_documents)

BOOST_AUTO_TEST_CASE(not_a_pdf) {
    expect_refusal(installation().request("POST", "/v1/seal", seal_body("Bonjour, ceci n'est pas un PDF")),
                   422, "invalid_document", "not a PDF");
}

BOOST_AUTO_TEST_CASE(truncated) {
    TempDir work;
    std::string pdf = sample_pdf(work);
    expect_refusal(installation().request("POST", "/v1/seal", seal_body(pdf.substr(0, pdf.size() / 2))),
                   422, "invalid_document");
}

BOOST_AUTO_TEST_CASE(encrypted) {
    TempDir work;
    auto source = signet::test::ps2pdf_sample(work.path(), "plain", 1);
    auto locked = signet::test::qpdf_rewrite(source, work / "encrypted.pdf",
                                                {"--encrypt", "user", "owner", "256", "--"});
    expect_refusal(installation().request("POST", "/v1/seal", seal_body(read_file(locked))), 422,
                   "invalid_document", "encrypted");
}

BOOST_AUTO_TEST_CASE(damaged_page_tree) {
    TempDir work;
    // qpdf --qdf writes one object per line, uncompressed, so the page count can be edited.
    auto source = signet::test::ps2pdf_sample(work.path(), "pages", 3);
    auto qdf = signet::test::qpdf_rewrite(source, work / "qdf.pdf", {"--qdf", "--object-streams=disable"});
    std::string pdf = read_file(qdf);
    auto at = pdf.find("/Count 3");
    BOOST_REQUIRE(at != std::string::npos);
    pdf.replace(at, 8, "/Count 9");
    expect_refusal(installation().request("POST", "/v1/seal",
                                          seal_body(pdf, R"(, "appearance": {"page": 7, "rect": [10, 10, 100, 50]})")),
                   422, "invalid_document");
}

BOOST_AUTO_TEST_CASE(page_out_of_range) {
    TempDir work;
    expect_refusal(installation().request("POST", "/v1/seal",
                                          seal_body(sample_pdf(work), R"(, "appearance": {"page": 99, "rect": [10, 10, 100, 50]})")),
                   422, "invalid_document", "99");
}

BOOST_AUTO_TEST_CASE(refusals_are_recorded_with_their_reason) {
    expect_refusal(installation().request("POST", "/v1/seal", seal_body("not a pdf at all, recorded")),
                   422, "invalid_document");
    auto db = installation().open_store();
    auto row = db.prepare(
        "SELECT outcome, json_extract(entry, '$.reason') FROM audit_log ORDER BY seq DESC LIMIT 1");
    BOOST_REQUIRE(row);
    auto found = row->step();
    BOOST_REQUIRE(found && *found);
    BOOST_TEST(row->column_text(0) == "refused");
    BOOST_TEST(!row->column_text(1).empty());
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_refused_before_it_is_read) {
    std::string big(signet::test::Installation::max_body_bytes + 1024, 'A');
    expect_refusal(installation().request("POST", "/v1/seal", big), 413, "too_large");
}

BOOST_AUTO_TEST_SUITE_END()

// The raw form (a PDF body, the fields as query parameters) refuses what the JSON form refuses,
// with the same JSON error bodies, plus what is wrong with a query string.
BOOST_AUTO_TEST_SUITE(raw_bad_requests)

using signet::test::raw_seal;

BOOST_AUTO_TEST_CASE(fields_are_checked_as_in_json) {
    TempDir work;
    const std::string pdf = sample_pdf(work);
    auto missing = installation().request("POST", "/v1/seal?actor=marie.durand", pdf, "platform", "application/pdf");
    expect_refusal(missing, 400, "bad_request", "the query parameter 'tenant' is missing");
    BOOST_TEST(missing.headers["content-type"] == "application/json");
    expect_refusal(raw_seal(pdf, "&colour=red"), 400, "bad_request", "the query parameter 'colour' is not part of the API");
    expect_refusal(raw_seal(pdf, "&actor=paul"), 400, "bad_request", "the query parameter 'actor' is given twice");
    expect_refusal(raw_seal(pdf, "&approved_by"), 400, "bad_request", "the query parameter 'approved_by' has no value");
    expect_refusal(raw_seal(pdf, "&approved_by=%FF"), 400, "bad_request", "'approved_by' is not valid UTF-8");
    expect_refusal(raw_seal(pdf, "&approved_by=%07"), 400, "bad_request", "'approved_by' contains a control character");
    expect_refusal(raw_seal(pdf, "&page=1&rect=10,10,5,50"), 400, "bad_request", "x1 < x2");
    expect_refusal(raw_seal(pdf, "&page=1&rect=10,10,50"), 400, "bad_request", "four numbers x1,y1,x2,y2");
    expect_refusal(raw_seal(pdf, "&page=0&rect=10,10,50,50"), 400, "bad_request", "page number from 1");
    expect_refusal(raw_seal(pdf, "&page=1"), 400, "bad_request", "both the query parameters 'page' and 'rect'");
    expect_refusal(raw_seal(pdf, "&rect=10,10,50,50"), 400, "bad_request", "both the query parameters 'page' and 'rect'");
    expect_refusal(raw_seal(""), 400, "bad_request", "the request body is empty");
    // The JSON form's 422s: the page must exist, the body must be a PDF.
    expect_refusal(raw_seal(pdf, "&page=99&rect=10,10,100,50"), 422, "invalid_document", "99");
}

BOOST_AUTO_TEST_CASE(not_a_pdf_is_422_and_recorded) {
    auto result = raw_seal("Bonjour, ceci n'est pas un PDF (raw)");
    expect_refusal(result, 422, "invalid_document", "not a PDF");
    BOOST_TEST(result.headers["content-type"] == "application/json");
    auto db = installation().open_store();
    auto row = db.prepare("SELECT outcome, json_extract(entry, '$.document_sha256') FROM audit_log ORDER BY seq DESC LIMIT 1");
    BOOST_REQUIRE(row);
    auto found = row->step();
    BOOST_REQUIRE(found && *found);
    BOOST_TEST(row->column_text(0) == "refused");
    auto sha = run({"sha256sum"}, "Bonjour, ceci n'est pas un PDF (raw)");
    BOOST_TEST(row->column_text(1) == sha.output.substr(0, 64));
}

BOOST_AUTO_TEST_CASE(content_type_chooses_the_form) {
    // Media types are case-insensitive and may carry parameters: this body is read as a PDF
    // (422), not as JSON (400).
    expect_refusal(installation().request("POST", "/v1/seal?tenant=cabinet-durand&actor=marie.durand", "not a pdf",
                                          "platform", "Application/PDF; name=lettre.pdf"),
                   422, "invalid_document");
    // The contract has no 415: another type is a malformed request.
    for (const char* type : {"text/plain", "application/pdfx", "application/octet-stream"}) {
        BOOST_TEST_CONTEXT(type) {
            expect_refusal(installation().request("POST", "/v1/seal?tenant=cabinet-durand&actor=marie.durand", "%PDF-1.4",
                                                  "platform", type),
                           400, "bad_request", "Content-Type: application/pdf");
        }
    }
    expect_refusal(installation().request("POST", "/v1/sign?tenant=cabinet-durand&actor=marie.durand", "%PDF-1.4",
                                          "platform", "text/plain"),
                   400, "bad_request", "a signature request is JSON");
}

BOOST_AUTO_TEST_CASE(only_the_platform_and_only_post) {
    expect_refusal(installation().request("POST", "/v1/seal?tenant=cabinet-durand&actor=marie.durand", "%PDF-1.4",
                                          "auditor", "application/pdf"),
                   403, "forbidden", "only the platform role");
    expect_refusal(installation().request("POST", "/v1/seal?tenant=cabinet-durand&actor=marie.durand", "%PDF-1.4",
                                          "", "application/pdf"),
                   401, "unauthenticated");
    expect_refusal(installation().request("PUT", "/v1/seal?tenant=cabinet-durand&actor=marie.durand", "%PDF-1.4",
                                          "platform", "application/pdf"),
                   400, "bad_request", "use POST");
}

BOOST_AUTO_TEST_CASE(a_raw_body_has_its_own_limit) {
    using signet::test::Installation;
    // Over the JSON limit but under the raw one: read, and refused only for what it is.
    std::string between(Installation::max_body_bytes + 1024, 'A');
    expect_refusal(raw_seal(between), 422, "invalid_document", "not a PDF");
    // Over the raw limit: refused from its Content-Length, before it is read.
    std::string big(Installation::max_raw_document_bytes + 1024, 'A');
    expect_refusal(raw_seal(big), 413, "too_large",
                   std::to_string(Installation::max_raw_document_bytes) + " bytes ([limits] max_raw_document_bytes)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(clients)

BOOST_AUTO_TEST_CASE(no_certificate_is_401) {
    expect_refusal(installation().request("GET", "/v1/health", "", ""), 401, "unauthenticated");
}

BOOST_AUTO_TEST_CASE(auditor_may_not_seal) {
    TempDir work;
    expect_refusal(installation().request("POST", "/v1/seal", seal_body(sample_pdf(work)), "auditor"),
                   403, "forbidden");
}

BOOST_AUTO_TEST_CASE(certificate_from_another_ca_is_refused_in_the_handshake) {
    TempDir work;
    using namespace signet::devpki;
    auto ca_key = generate_key("ec-p256");
    BOOST_REQUIRE(ca_key);
    CertificateSpec ca_spec;
    ca_spec.common_name = "another CA";
    ca_spec.usage = Usage::ca;
    auto ca = issue(ca_spec, ca_key->get(), nullptr, ca_key->get());
    BOOST_REQUIRE(ca);
    auto key = generate_key("ec-p256");
    BOOST_REQUIRE(key);
    CertificateSpec spec;
    spec.common_name = "platform";  // the right name, from the wrong CA
    auto cert = issue(spec, key->get(), ca->get(), ca_key->get());
    BOOST_REQUIRE(cert);
    BOOST_REQUIRE(write_certificate(work / "rogue.pem", cert->get()));
    BOOST_REQUIRE(write_private_key(work / "rogue.key", key->get()));
    auto result = installation().request("GET", "/v1/health", "", "", "application/json",
                                         {"--cert", (work / "rogue.pem").string(), "--key",
                                          (work / "rogue.key").string()});
    BOOST_TEST(result.curl_exit != 0, result.curl_output);
    BOOST_TEST(result.status != 200);
    BOOST_TEST(installation().healthy());
}

BOOST_AUTO_TEST_SUITE_END()

// The router's table (api/routing/route_table.hpp) against a running signetd: each route is
// dispatched, so the table claims no route the code does not serve. Each is asked by a role that
// docs/openapi.yaml does not give it (x-signet-roles), which gets a 403 from the route's own
// role check, reached only once the route's group has built its work, and so no key, register
// or log is touched; health and metrics, open to every role, answer. A method a known path
// does not serve gets the table's 400 or 404.
BOOST_AUTO_TEST_SUITE(routes)

namespace {

// docs/openapi.yaml as JSON, read by PyYAML (python3-yaml), as tests/unit/api does.
nlohmann::json openapi_document() {
    auto result = run({"python3", "-c",
                       "import json, sys, yaml\n"
                       "json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout, default=str)\n",
                       SIGNET_OPENAPI});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.output);
    return nlohmann::json::parse(result.output);
}

// The template with a value for each {name}: numbers where the API wants an id.
std::string probe_path(std::string_view path_template) {
    std::string out;
    for (std::size_t i = 0; i < path_template.size(); ++i) {
        if (path_template[i] != '{') {
            out += path_template[i];
            continue;
        }
        const auto end = path_template.find('}', i);
        const auto name = path_template.substr(i + 1, end - i - 1);
        out += name == "approval" || name == "delegation" ? "1" : "probe";
        i = end;
    }
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_route_table_is_served) {
    const auto document = openapi_document();
    for (const auto& route : signet::daemon::api_routes()) {
        const std::string method(boost::beast::http::to_string(route.method));
        const std::string name = method + " " + std::string(route.path);
        const auto& roles = document.at("paths").at(std::string(route.path)).at(lower(method)).at("x-signet-roles");
        std::string outsider;
        for (const char* role : {"platform", "officer", "auditor"}) {
            if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
                outsider = role;
                break;
            }
        }
        if (outsider.empty()) {  // every role: health and metrics
            auto answer = installation().request(method, probe_path(route.path), "", "auditor");
            BOOST_TEST((answer.status == 200 || answer.status == 503), name << ": " << answer.status << " " << answer.body);
            continue;
        }
        auto answer = installation().request(method, probe_path(route.path), "", outsider);
        BOOST_TEST(answer.status == 403, name << " as " << outsider << ": " << answer.status << " " << answer.body);
        if (answer.status == 403) BOOST_TEST(answer.json().at("error") == "forbidden", name);
    }
}

BOOST_AUTO_TEST_CASE(a_method_a_path_does_not_serve) {
    std::set<std::string_view> paths;
    for (const auto& route : signet::daemon::api_routes()) paths.insert(route.path);
    for (const auto path_template : paths) {
        const std::string path = probe_path(path_template);
        auto answer = installation().request("OPTIONS", path, "", "platform");
        const std::string_view wrong = signet::daemon::wrong_method_message(path_template);
        if (wrong.empty()) {
            expect_refusal(answer, 404, "not_found", "there is no OPTIONS " + path + " in the API");
        } else {
            expect_refusal(answer, 400, "bad_request", std::string(wrong));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
