// The route table (api/routing/route_table.hpp) against docs/openapi.yaml, both ways, and the
// table's own rules: no route twice, no two templates matching one path, matching as the
// router always matched.

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/routing/route_table.hpp"
#include "tests/support/process.hpp"

namespace {

using boost::beast::http::verb;
using signet::daemon::api_routes;
using signet::daemon::match_route;
using signet::daemon::RouteId;

// "GET /v1/health", the form both sides are compared in.
std::string route_name(verb method, std::string_view path) {
    return std::string(boost::beast::http::to_string(method)) + " " + std::string(path);
}

std::set<std::string> table_routes() {
    std::set<std::string> out;
    for (const auto& route : api_routes()) out.insert(route_name(route.method, route.path));
    return out;
}

// docs/openapi.yaml as JSON. PyYAML reads it (python3-yaml, .ci/install-deps.sh): C++ has no
// YAML reader in the tree, and this one is the test's only need for one. default=str: a date
// in an example would be a datetime.date, which JSON has no type for.
nlohmann::json openapi_document() {
    auto result = signet::test::run(
        {"python3", "-c",
         "import json, sys, yaml\n"
         "json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout, default=str)\n",
         SIGNET_OPENAPI});
    BOOST_TEST_REQUIRE(result.exit_code == 0, "python3 could not read " SIGNET_OPENAPI ": " << result.output);
    return nlohmann::json::parse(result.output);
}

// The operations of the document, as "METHOD /path".
std::set<std::string> document_routes(const nlohmann::json& document) {
    static const std::set<std::string> methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    std::set<std::string> out;
    for (const auto& [path, item] : document.at("paths").items()) {
        for (const auto& [key, operation] : item.items()) {
            if (!methods.contains(key)) continue;  // "parameters", "summary", ...
            out.insert(route_name(boost::beast::http::string_to_verb(
                                      [&] {
                                          std::string upper = key;
                                          for (char& c : upper) c = static_cast<char>(std::toupper(c));
                                          return upper;
                                      }()),
                                  path));
        }
    }
    return out;
}

// `path_template` with each {name} replaced by a value of its own.
std::string instance_of(std::string_view path_template) {
    std::string out;
    int parameter = 0;
    for (std::size_t i = 0; i < path_template.size(); ++i) {
        if (path_template[i] == '{') {
            i = path_template.find('}', i);
            out += "p" + std::to_string(++parameter);
        } else {
            out += path_template[i];
        }
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(route_table)

BOOST_AUTO_TEST_CASE(the_openapi_document_has_every_route_and_no_other) {
    const auto document = openapi_document();
    BOOST_TEST(document.at("openapi").get<std::string>().starts_with("3.1"));
    const auto served = table_routes();
    const auto described = document_routes(document);
    for (const auto& route : served) {
        BOOST_TEST(described.contains(route), route << " is served but not in docs/openapi.yaml");
    }
    for (const auto& route : described) {
        BOOST_TEST(served.contains(route), route << " is in docs/openapi.yaml but not served (api/routing/route_table.cpp)");
    }
    BOOST_TEST(served.size() == described.size());
}

BOOST_AUTO_TEST_CASE(every_operation_names_its_roles_and_mutual_tls) {
    const auto document = openapi_document();
    BOOST_TEST(document.at("components").at("securitySchemes").at("clientCertificate").at("type") == "mutualTLS");
    BOOST_TEST(document.at("security").dump() == R"([{"clientCertificate":[]}])");
    for (const auto& [path, item] : document.at("paths").items()) {
        for (const auto& [key, operation] : item.items()) {
            if (key == "parameters") continue;
            BOOST_TEST(operation.value("description", "").find("Role:") != std::string::npos, key << " " << path);
            BOOST_TEST(!operation.value("x-signet-roles", nlohmann::json::array()).empty(), key << " " << path);
        }
    }
}

BOOST_AUTO_TEST_CASE(no_route_twice_and_no_two_templates_for_one_path) {
    std::set<std::string> seen;
    for (const auto& route : api_routes()) {
        BOOST_TEST(seen.insert(route_name(route.method, route.path)).second, route.path);
        // An instance of the template is this route's, whatever other template would match it.
        const auto match = match_route(route.method, instance_of(route.path));
        BOOST_TEST(match.path_template == route.path);
        BOOST_TEST((match.route == &route), route_name(route.method, route.path));
        for (const auto& other : api_routes()) {
            if (other.path == route.path) continue;
            BOOST_TEST(match_route(other.method, instance_of(route.path)).path_template != other.path,
                       instance_of(route.path) << " matches " << route.path << " and " << other.path);
        }
    }
}

BOOST_AUTO_TEST_CASE(matching) {
    // Parameters, in order.
    auto member = match_route(verb::delete_, "/v1/tenants/cabinet-durand/members/marie.durand");
    BOOST_REQUIRE(member.route != nullptr);
    BOOST_TEST((member.route->id == RouteId::member_delete));
    BOOST_TEST(member.parameters == (std::vector<std::string>{"cabinet-durand", "marie.durand"}),
               boost::test_tools::per_element());
    // A known path with another method: its template, no route.
    auto wrong = match_route(verb::get, "/v1/tenants/cabinet-durand/members/marie.durand");
    BOOST_TEST(wrong.route == nullptr);
    BOOST_TEST(wrong.path_template == "/v1/tenants/{tenant}/members/{person}");
    // An unknown path: nothing.
    auto unknown = match_route(verb::get, "/v1/nothing");
    BOOST_TEST(unknown.route == nullptr);
    BOOST_TEST(unknown.path_template.empty());
    BOOST_TEST(match_route(verb::get, "/v1/tenants/t/members").path_template.empty());
    BOOST_TEST(match_route(verb::get, "/v1/tenants/t/members/p/x").path_template.empty());
    // A template without parameters matches exactly, one with parameters segment by segment.
    BOOST_TEST(match_route(verb::get, "/v1/health").route != nullptr);
    BOOST_TEST(match_route(verb::get, "/v1/health/").path_template.empty());
    BOOST_TEST(match_route(verb::get, "/V1/health").path_template.empty());
    BOOST_TEST(match_route(verb::put, "/v1//tenants/t1/").route != nullptr);
    // A verb Beast does not know is no route's.
    BOOST_TEST(match_route(verb::unknown, "/v1/health").route == nullptr);
}

BOOST_AUTO_TEST_CASE(wrong_methods_answer_as_before_the_table) {
    using signet::daemon::wrong_method_message;
    BOOST_TEST(wrong_method_message("/v1/health") == "use GET for /v1/health");
    BOOST_TEST(wrong_method_message("/v1/seal") == "use POST for /v1/seal");
    BOOST_TEST(wrong_method_message("/v1/audit/usage") == "use GET for /v1/audit/usage");
    BOOST_TEST(wrong_method_message("/v1/tenants/{tenant}/logo") == "use PUT, GET or DELETE for a tenant's logo");
    // The register, keys and persons answered 404 for a method they did not serve.
    BOOST_TEST(wrong_method_message("/v1/keys").empty());
    BOOST_TEST(wrong_method_message("/v1/delegations/{delegation}").empty());
    BOOST_TEST(wrong_method_message("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
