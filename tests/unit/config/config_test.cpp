#include "config/config.hpp"

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/need.hpp"

namespace {

using signet::Errc;
using signet::test::TempDir;
using signet::test::write_file;

// A folder with every file a valid configuration names.
struct ConfigFixture {
    TempDir dir{"signet-config"};
    ConfigFixture() {
        for (const char* name : {"server.pem", "server.key", "ca.pem", "module.so", "pin", "rights-matrix.toml"}) {
            write_file(dir / name, "x");
        }
    }

    std::filesystem::path write(const std::string& text) {
        auto path = dir / "signetd.toml";
        write_file(path, text);
        return path;
    }

    static std::string valid(const std::string& extra_limits = "") {
        return R"(
[server]
port = 9443

[tls]
certificate = "server.pem"
private_key = "server.key"
client_ca = "ca.pem"

[[client]]
subject_cn = "platform"
role = "platform"

[[client]]
sha256 = "AA:BB:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"
role = "auditor"

[hsm]
module = "module.so"
token = "pkcs11:token=signet"
pin_file = "pin"

[store]
path = "signet.db"

[policy]
rights_matrix = "rights-matrix.toml"

[limits]
max_body_bytes = 2048
)" + extra_limits;
    }
};

void require_error(const signet::Result<signet::config::Config>& result,
                   const std::vector<std::string>& fragments) {
    BOOST_REQUIRE(!result);
    BOOST_TEST(static_cast<int>(result.error().code) == static_cast<int>(Errc::invalid_config));
    for (const auto& fragment : fragments) {
        BOOST_TEST(result.error().message.find(fragment) != std::string::npos,
                   "message '" << result.error().message << "' lacks '" << fragment << "'");
    }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(config_load, ConfigFixture)

BOOST_AUTO_TEST_CASE(valid_file_with_defaults_and_relative_paths) {
    auto config = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(config, signet::test::error_of(config));
    BOOST_TEST(config->server.address == "127.0.0.1");
    BOOST_TEST(config->server.port == 9443);
    BOOST_TEST(config->tls.certificate == dir / "server.pem");
    BOOST_TEST(config->store.path == dir / "signet.db");
    BOOST_TEST(config->hsm.token == "pkcs11:token=signet");
    BOOST_TEST(!config->hsm.softhsm_conf.has_value());
    BOOST_TEST(config->limits.max_body_bytes == 2048U);
    BOOST_TEST(config->limits.max_header_bytes == 16U * 1024U);
    BOOST_REQUIRE(config->clients.size() == 2U);
    BOOST_TEST(config->clients[0].subject_cn == "platform");
    BOOST_TEST((config->clients[0].role == signet::config::Role::platform));
    BOOST_TEST(config->clients[1].sha256 ==
               "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899");
    BOOST_TEST((config->clients[1].role == signet::config::Role::auditor));
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_key) {
    auto path = write(valid("max_bodyy_bytes = 5\n"));
    require_error(signet::config::load(path), {path.string() + ":", "unknown key limits.max_bodyy_bytes"});
}

BOOST_AUTO_TEST_CASE(unknown_section_is_refused) {
    require_error(signet::config::load(write(valid() + "[extra]\nx = 1\n")), {"unknown section extra"});
}

BOOST_AUTO_TEST_CASE(missing_file_names_key_and_path) {
    std::filesystem::remove(dir / "pin");
    require_error(signet::config::load(write(valid())),
                  {"hsm.pin_file", (dir / "pin").string(), "does not exist"});
}

BOOST_AUTO_TEST_CASE(missing_database_folder) {
    std::string text = valid();
    text.replace(text.find("signet.db"), 9, "nowhere/signet.db");
    require_error(signet::config::load(write(text)), {"store.path", "folder does not exist"});
}

BOOST_AUTO_TEST_CASE(the_node_is_the_host_name_unless_named) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(defaults, signet::test::error_of(defaults));
    char host[256] = {};
    BOOST_REQUIRE(gethostname(host, sizeof host - 1) == 0);
    BOOST_TEST(defaults->server.node == host);
    std::string named = valid();
    named.replace(named.find("port = 9443"), 11, "port = 9443\nnode = \"node-b.paris_1\"");
    auto set = signet::config::load(write(named));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->server.node == "node-b.paris_1");
    for (const char* bad : {"\"\"", "\"node b\"", "\"nœud\"", "\"a/b\""}) {
        std::string text = valid();
        text.replace(text.find("port = 9443"), 11, std::string("port = 9443\nnode = ") + bad);
        require_error(signet::config::load(write(text)), {"server.node"});
    }
}

BOOST_AUTO_TEST_CASE(store_backends) {
    auto sqlite = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(sqlite, signet::test::error_of(sqlite));
    BOOST_TEST((sqlite->store.backend == signet::config::Store::Backend::sqlite));
    BOOST_TEST(!sqlite->store.deprecated_table);

    // [database], the table's first name, is read with a warning for one more release.
    std::string former = valid();
    former.replace(former.find("[store]"), 7, "[database]");
    auto deprecated = signet::config::load(write(former));
    BOOST_REQUIRE_MESSAGE(deprecated, signet::test::error_of(deprecated));
    BOOST_TEST(deprecated->store.deprecated_table);
    BOOST_TEST(deprecated->store.path == dir / "signet.db");
    require_error(signet::config::load(write(valid() + "[database]\npath = \"signet.db\"\n")), {"[store]", "not both"});
    std::string neither = valid();
    neither.erase(neither.find("[store]"), neither.find("[policy]") - neither.find("[store]"));
    require_error(signet::config::load(write(neither)), {"[store] section is required"});

    write_file(dir / "pg-password", "x");
    auto with_store = [&](const std::string& table) {
        std::string text = valid();
        text.replace(text.find("[store]"), text.find("[policy]") - text.find("[store]"), table + "\n");
        return signet::config::load(write(text));
    };
    auto postgresql = with_store(
        "[store]\nbackend = \"postgresql\"\nurl = \"postgresql://signet@127.0.0.1:5432/signet\"\n"
        "password_file = \"pg-password\"\n");
    BOOST_REQUIRE_MESSAGE(postgresql, signet::test::error_of(postgresql));
    BOOST_TEST((postgresql->store.backend == signet::config::Store::Backend::postgresql));
    BOOST_TEST(postgresql->store.url == "postgresql://signet@127.0.0.1:5432/signet");
    BOOST_TEST(postgresql->store.password_file == dir / "pg-password");
    // The answers kept for Idempotency-Key go beside the configuration, not beside a file.
    BOOST_TEST(postgresql->jobs.answers_folder == dir / "answers");
    BOOST_TEST(postgresql->store.connections == 8U);
    const std::string pooled = "[store]\nbackend = \"postgresql\"\nurl = \"postgresql://signet@db/signet\"\n"
                               "password_file = \"pg-password\"\nconnections = ";
    auto sixteen = with_store(pooled + "16\n");
    BOOST_REQUIRE_MESSAGE(sixteen, signet::test::error_of(sixteen));
    BOOST_TEST(sixteen->store.connections == 16U);
    require_error(with_store(pooled + "0\n"), {"store.connections", "between 1 and 256"});
    require_error(with_store(pooled + "257\n"), {"store.connections", "between 1 and 256"});
    // A pool is PostgreSQL's: SQLite has one connection.
    require_error(with_store("[store]\npath = \"signet.db\"\nconnections = 4\n"), {"unknown key store.connections"});

    require_error(with_store("[store]\nbackend = \"postgresql\"\nurl = \"postgresql://signet:s3cret@db/signet\"\n"
                             "password_file = \"pg-password\"\n"),
                  {"store.url", "must not hold a password"});
    require_error(with_store("[store]\nbackend = \"postgresql\"\nurl = \"postgresql://db/signet?password=s3cret\"\n"
                             "password_file = \"pg-password\"\n"),
                  {"store.url", "must not hold a password"});
    require_error(with_store("[store]\nbackend = \"postgresql\"\nurl = \"mysql://db/signet\"\npassword_file = \"pg-password\"\n"),
                  {"store.url", "postgresql://"});
    require_error(with_store("[store]\nbackend = \"postgresql\"\nurl = \"postgresql://signet@db/signet\"\n"),
                  {"store.password_file", "is required"});
    require_error(with_store("[store]\nbackend = \"postgresql\"\nurl = \"postgresql://signet@db/signet\"\n"
                             "password_file = \"pg-password\"\npath = \"signet.db\"\n"),
                  {"unknown key store.path"});
    require_error(with_store("[store]\nbackend = \"oracle\"\n"), {"store.backend", "\"sqlite\" or \"postgresql\""});
}

BOOST_AUTO_TEST_CASE(audit_defaults_and_limits) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE(defaults);
    BOOST_TEST(defaults->audit.origin == "signet");
    BOOST_TEST(defaults->audit.checkpoint_entries == 100U);
    BOOST_TEST(defaults->audit.checkpoint_interval.count() == 60);
    BOOST_TEST(defaults->audit.checkpoint_file == dir / "audit-checkpoints.ndjson");
    auto set = signet::config::load(write(valid() + "[audit]\norigin = \"cabinet\"\ncheckpoint_entries = 5\n"));
    BOOST_REQUIRE(set);
    BOOST_TEST(set->audit.checkpoint_entries == 5U);
    require_error(signet::config::load(write(valid() + "[audit]\ncheckpoint_entries = 0\n")),
                  {"audit.checkpoint_entries", "between 1"});
    require_error(signet::config::load(write(valid() + "[audit]\ncheckpoint_file = \"none/x\"\n")),
                  {"audit.checkpoint_file", "folder does not exist"});
    require_error(signet::config::load(write(valid() + "[audit]\nevery = 3\n")), {"audit.every"});
}

BOOST_AUTO_TEST_CASE(key_lifecycle_defaults_and_limits) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE(defaults);
    BOOST_TEST(defaults->keys.signing_trust_anchors.empty());  // imports are refused until set
    BOOST_TEST(defaults->keys.approval_ttl.count() == 24 * 3600);
    BOOST_TEST(defaults->keys.min_remaining_validity.count() == 24 * 3600);
    BOOST_TEST(defaults->keys.expiry_warning.count() == 30 * 24 * 3600);
    auto set = signet::config::load(write(valid() + "[keys]\nsigning_trust_anchors = \"ca.pem\"\napproval_hours = 2\n"
                                                    "min_remaining_validity_days = 0\nexpiry_warning_days = 60\n"));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->keys.signing_trust_anchors == dir / "ca.pem");
    BOOST_TEST(set->keys.approval_ttl.count() == 2 * 3600);
    BOOST_TEST(set->keys.min_remaining_validity.count() == 0);
    BOOST_TEST(set->keys.expiry_warning.count() == 60 * 24 * 3600);
    require_error(signet::config::load(write(valid() + "[keys]\napproval_hours = 0\n")), {"keys.approval_hours", "between 1"});
    require_error(signet::config::load(write(valid() + "[keys]\nsigning_trust_anchors = \"none.pem\"\n")),
                  {"keys.signing_trust_anchors"});
    require_error(signet::config::load(write(valid() + "[keys]\nanchors = \"ca.pem\"\n")), {"keys.anchors"});
}

BOOST_AUTO_TEST_CASE(missing_rights_matrix) {
    std::string text = valid();
    text.replace(text.find("rights-matrix.toml"), 18, "matrix.toml");
    require_error(signet::config::load(write(text)), {"policy.rights_matrix", "matrix.toml"});
}

BOOST_AUTO_TEST_CASE(wrong_type_is_named) {
    std::string text = valid();
    text.replace(text.find("port = 9443"), 11, "port = \"9443\"");
    require_error(signet::config::load(write(text)), {"server.port", "must be an integer"});
}

// A float where an integer belongs is refused, however large: toml++ converted one by a cast
// that overflowed (undefined behaviour, found by tests/fuzz/config_toml_fuzz.cpp).
BOOST_AUTO_TEST_CASE(float_is_not_an_integer) {
    for (const char* value : {"94e43", "-94e43", "9443.0", "inf", "nan"}) {
        BOOST_TEST_CONTEXT(value) {
            std::string text = valid();
            text.replace(text.find("port = 9443"), 11, std::string("port = ") + value);
            require_error(signet::config::load(write(text)), {"server.port", "must be an integer"});
        }
    }
}

BOOST_AUTO_TEST_CASE(out_of_range_limit) {
    std::string text = valid();
    text.replace(text.find("max_body_bytes = 2048"), 21, "max_body_bytes = 12");
    require_error(signet::config::load(write(text)), {"limits.max_body_bytes", "between"});
}

BOOST_AUTO_TEST_CASE(raw_document_limit_is_its_own) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(defaults, signet::test::error_of(defaults));
    BOOST_TEST(defaults->limits.max_raw_document_bytes == 64U * 1024U * 1024U);
    BOOST_TEST(defaults->limits.max_body_bytes == 2048U);  // the JSON limit is unchanged by it
    auto set = signet::config::load(write(valid("max_raw_document_bytes = 4096\n")));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->limits.max_raw_document_bytes == 4096U);
    require_error(signet::config::load(write(valid("max_raw_document_bytes = 10\n"))),
                  {"limits.max_raw_document_bytes", "between 1024"});
    // Above what a PDF worker takes (3 GiB).
    require_error(signet::config::load(write(valid("max_raw_document_bytes = 4294967296\n"))),
                  {"limits.max_raw_document_bytes", "between"});
}

BOOST_AUTO_TEST_CASE(inflight_body_budget_holds_one_body_of_each_limit) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(defaults, signet::test::error_of(defaults));
    BOOST_TEST(defaults->limits.max_inflight_body_bytes == 512U * 1024U * 1024U);
    auto set = signet::config::load(write(valid("max_inflight_body_bytes = 1073741824\n")));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->limits.max_inflight_body_bytes == 1073741824U);
    // Below the raw limit (64 MiB by default): no raw document of that size could be read.
    require_error(signet::config::load(write(valid("max_inflight_body_bytes = 1048576\n"))),
                  {"limits.max_inflight_body_bytes", "at least max_body_bytes and max_raw_document_bytes"});
}

BOOST_AUTO_TEST_CASE(idempotency_answers_defaults_and_limits) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(defaults, signet::test::error_of(defaults));
    BOOST_TEST(defaults->jobs.idempotency_ttl.count() == 24 * 3600);
    BOOST_TEST(defaults->jobs.answers_folder == dir / "answers");
    BOOST_TEST(defaults->jobs.answers_max_bytes == std::uint64_t{1} << 30);
    auto set = signet::config::load(
        write(valid("\n[jobs]\nidempotency_ttl = 172800\nanswers_folder = \"kept\"\nanswers_max_mib = 0\n")));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->jobs.idempotency_ttl.count() == 172800);
    BOOST_TEST(set->jobs.answers_folder == dir / "kept");
    BOOST_TEST(set->jobs.answers_max_bytes == 0U);
    require_error(signet::config::load(write(valid("\n[jobs]\nidempotency_ttl = 0\n"))), {"jobs.idempotency_ttl"});
    require_error(signet::config::load(write(valid("\n[jobs]\nidempotency_tll = 60\n"))), {"jobs.idempotency_tll"});
}

BOOST_AUTO_TEST_CASE(guests_defaults_and_limits) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE_MESSAGE(defaults, signet::test::error_of(defaults));
    BOOST_TEST(defaults->guests.code_ttl.count() == 15 * 60);
    BOOST_TEST(defaults->guests.algorithm == "ec-p256");
    auto set = signet::config::load(write(valid("\n[guests]\ncode_ttl = 600\nalgorithm = \"rsa-2048\"\n")));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->guests.code_ttl.count() == 600);
    BOOST_TEST(set->guests.algorithm == "rsa-2048");
    require_error(signet::config::load(write(valid("\n[guests]\ncode_ttl = 0\n"))), {"guests.code_ttl"});
    require_error(signet::config::load(write(valid("\n[guests]\ncode_ttl = 86401\n"))), {"guests.code_ttl"});
    require_error(signet::config::load(write(valid("\n[guests]\nalgorithm = \"rsa-4096\"\n"))), {"guests.algorithm"});
    require_error(signet::config::load(write(valid("\n[guests]\nttl = 60\n"))), {"guests.ttl"});
}

BOOST_AUTO_TEST_CASE(bad_role_and_ambiguous_mapping) {
    std::string bad_role = valid();
    bad_role.replace(bad_role.find("role = \"auditor\""), 16, "role = \"root\"");
    require_error(signet::config::load(write(bad_role)), {"client[1].role", "'root'"});

    std::string both = valid();
    both.replace(both.find("subject_cn = \"platform\""), 23,
                 "subject_cn = \"platform\"\nsha256 = \"" + std::string(64, 'a') + "\"");
    require_error(signet::config::load(write(both)), {"exactly one of subject_cn and sha256"});
}

BOOST_AUTO_TEST_CASE(bad_fingerprint) {
    std::string text = valid();
    text.replace(text.find("AA:BB"), 5, "ZZ:BB");
    require_error(signet::config::load(write(text)), {"client[1].sha256", "64 hexadecimal"});
}

BOOST_AUTO_TEST_CASE(missing_required_section_and_key) {
    std::string no_hsm = valid();
    no_hsm.erase(no_hsm.find("[hsm]"), no_hsm.find("[store]") - no_hsm.find("[hsm]"));
    require_error(signet::config::load(write(no_hsm)), {"[hsm] section is required"});

    std::string no_token = valid();
    no_token.erase(no_token.find("token = "), no_token.find("pin_file") - no_token.find("token = "));
    require_error(signet::config::load(write(no_token)), {"hsm.token", "is required"});
}

BOOST_AUTO_TEST_CASE(syntax_error_names_line) {
    auto path = write("[server]\nport = = 3\n");
    require_error(signet::config::load(path), {path.string() + ":2"});
}

BOOST_AUTO_TEST_CASE(no_client_mapping) {
    std::string text = valid();
    auto begin = text.find("[[client]]");
    text.erase(begin, text.find("[hsm]") - begin);
    require_error(signet::config::load(write(text)), {"[[client]]"});
}

BOOST_AUTO_TEST_CASE(unreadable_config_file) {
    require_error(signet::config::load(dir / "absent.toml"), {"absent.toml"});
}

// [signature] and [timestamp] (issue 17): B-B and no trusted time by default; an internal TSA
// needs its policy OID; an external one its URLs and trust, and nothing of it is allowed for
// the internal source, so that a half-switched configuration is refused rather than ignored.
BOOST_AUTO_TEST_CASE(signature_level_and_trusted_time) {
    using signet::config::SignatureLevel;
    using signet::config::TimestampSource;
    auto plain = signet::config::load(write(valid()));
    BOOST_REQUIRE(plain);
    BOOST_TEST((plain->signature.level == SignatureLevel::b_b));
    BOOST_TEST(!plain->timestamp.has_value());

    auto internal = signet::config::load(write(valid() + "[signature]\nlevel = \"B-T\"\n[timestamp]\n"
                                                         "source = \"internal\"\npolicy = \"2.999.1.1\"\n"));
    BOOST_REQUIRE(internal);
    BOOST_TEST((internal->signature.level == SignatureLevel::b_t));
    BOOST_REQUIRE(internal->timestamp.has_value());
    BOOST_TEST((internal->timestamp->source == TimestampSource::internal));
    BOOST_TEST(internal->timestamp->policy == "2.999.1.1");
    BOOST_TEST(internal->timestamp->accuracy.count() == 1);
    BOOST_TEST(internal->timestamp->require_synchronized_clock);

    write_file(dir / "tsa-ca.pem", "x");
    auto external = signet::config::load(
        write(valid() + "[timestamp]\nsource = \"external\"\nurls = [\"http://tsa.example/a\", "
                        "\"https://tsa.example/b\"]\ntrust = \"tsa-ca.pem\"\ntimeout_ms = 5000\n"
                        "max_token_bytes = 8192\nrequire_synchronized_clock = false\naccuracy_seconds = 0\n"));
    BOOST_REQUIRE(external);
    BOOST_TEST((external->timestamp->source == TimestampSource::external));
    BOOST_TEST(external->timestamp->urls.size() == 2U);
    BOOST_TEST(external->timestamp->trust == dir / "tsa-ca.pem");
    BOOST_TEST(external->timestamp->timeout.count() == 5000);
    BOOST_TEST(external->timestamp->max_token_bytes == 8192U);
    BOOST_TEST(external->timestamp->accuracy.count() == 0);

    require_error(signet::config::load(write(valid() + "[signature]\nlevel = \"B-X\"\n")), {"signature.level"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"internal\"\n")),
                  {"timestamp.policy", "is required"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"internal\"\npolicy = \"1..2\"\n")),
                  {"timestamp.policy", "dotted OID"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"atomic\"\n")), {"timestamp.source"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"external\"\ntrust = \"tsa-ca.pem\"\n")),
                  {"timestamp.urls", "at least one"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"external\"\nurls = [\"ftp://x\"]\n"
                                                       "trust = \"tsa-ca.pem\"\n")),
                  {"timestamp.urls", "http"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"external\"\nurls = [\"http://x\"]\n")),
                  {"timestamp.trust"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"internal\"\npolicy = \"2.999.1\"\n"
                                                       "urls = [\"http://x\"]\n")),
                  {"timestamp.urls", "external"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"internal\"\npolicy = \"2.999.1\"\n"
                                                       "max_token_bytes = 100\n")),
                  {"timestamp.max_token_bytes"});
    require_error(signet::config::load(write(valid() + "[timestamp]\nsource = \"internal\"\npolicy = \"2.999.1\"\n"
                                                       "colour = 1\n")),
                  {"unknown key timestamp.colour"});
}

// [revocation] and [signature] trust (issue 18): "require" with no local CRL by default; the
// files named must exist; unknown modes and keys are refused.
BOOST_AUTO_TEST_CASE(revocation_and_the_trust_of_extend) {
    using signet::config::RevocationMode;
    using signet::config::SignatureLevel;
    auto plain = signet::config::load(write(valid()));
    BOOST_REQUIRE(plain);
    BOOST_TEST((plain->revocation.mode == RevocationMode::require));
    BOOST_TEST(plain->revocation.crl_files.empty());
    BOOST_TEST(plain->revocation.ocsp);
    BOOST_TEST(plain->revocation.crl_urls);
    BOOST_TEST(!plain->revocation.ocsp_nonce);
    BOOST_TEST(!plain->revocation.ocsp_get);
    BOOST_TEST(plain->signature.trust.empty());

    write_file(dir / "ca.crl", "x");
    write_file(dir / "anchor.pem", "x");
    auto set = signet::config::load(
        write(valid() + "[signature]\nlevel = \"B-LTA\"\ntrust = [\"anchor.pem\"]\n"
                        "[revocation]\nmode = \"prefer\"\ncrl_files = [\"ca.crl\"]\nocsp = false\ncrl_urls = false\n"
                        "ocsp_nonce = true\nocsp_get = true\ntimeout_ms = 2000\nconnect_timeout_ms = 500\n"));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST((set->signature.level == SignatureLevel::b_lta));
    BOOST_TEST(set->signature.trust == std::vector<std::filesystem::path>{dir / "anchor.pem"});
    BOOST_TEST((set->revocation.mode == RevocationMode::prefer));
    BOOST_TEST(set->revocation.crl_files == std::vector<std::filesystem::path>{dir / "ca.crl"});
    BOOST_TEST(!set->revocation.ocsp);
    BOOST_TEST(!set->revocation.crl_urls);
    BOOST_TEST(set->revocation.ocsp_nonce);
    BOOST_TEST(set->revocation.ocsp_get);
    BOOST_TEST(set->revocation.timeout.count() == 2000);
    BOOST_TEST(set->revocation.connect_timeout.count() == 500);
    auto lt = signet::config::load(write(valid() + "[signature]\nlevel = \"B-LT\"\n"));
    BOOST_REQUIRE(lt);
    BOOST_TEST((lt->signature.level == SignatureLevel::b_lt));

    require_error(signet::config::load(write(valid() + "[revocation]\nmode = \"maybe\"\n")), {"revocation.mode"});
    require_error(signet::config::load(write(valid() + "[revocation]\ncrl_files = [\"absent.crl\"]\n")),
                  {"revocation.crl_files", "does not exist"});
    require_error(signet::config::load(write(valid() + "[revocation]\ncrl_files = \"ca.crl\"\n")),
                  {"revocation.crl_files", "array"});
    require_error(signet::config::load(write(valid() + "[signature]\ntrust = [\"absent.pem\"]\n")),
                  {"signature.trust"});
    require_error(signet::config::load(write(valid() + "[revocation]\ntimeout_ms = 5\n")), {"revocation.timeout_ms"});
    require_error(signet::config::load(write(valid() + "[revocation]\ncolour = 1\n")),
                  {"unknown key revocation.colour"});
}

BOOST_AUTO_TEST_CASE(client_crl_is_optional_and_must_exist) {
    auto plain = signet::config::load(write(valid()));
    BOOST_REQUIRE(plain);
    BOOST_TEST(!plain->tls.client_crl.has_value());

    write_file(dir / "clients.crl", "x");
    std::string text = valid();
    const std::string ca_line = "client_ca = \"ca.pem\"\n";
    text.replace(text.find(ca_line), ca_line.size(), ca_line + "client_crl = \"clients.crl\"\n");
    auto set = signet::config::load(write(text));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_REQUIRE(set->tls.client_crl.has_value());
    BOOST_TEST(*set->tls.client_crl == dir / "clients.crl");

    std::filesystem::remove(dir / "clients.crl");
    require_error(signet::config::load(write(text)), {"tls.client_crl", (dir / "clients.crl").string(), "does not exist"});
    std::string wrong_type = valid();
    wrong_type.replace(wrong_type.find(ca_line), ca_line.size(), ca_line + "client_crl = 1\n");
    require_error(signet::config::load(write(wrong_type)), {"tls.client_crl", "must be a string"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(process_limits, ConfigFixture)

BOOST_AUTO_TEST_CASE(pdf_worker_and_drain_defaults_and_limits) {
    auto defaults = signet::config::load(write(valid()));
    BOOST_REQUIRE(defaults);
    BOOST_TEST(defaults->limits.pdf_workers == 0U);  // one per two job threads
    BOOST_TEST(defaults->limits.workers == 0U);      // eight per core
    BOOST_TEST(defaults->limits.pdf_job_timeout.count() == 30);
    BOOST_TEST(defaults->limits.pdf_worker_memory_bytes == std::size_t{1} << 30);
    BOOST_TEST(defaults->limits.drain_timeout.count() == 30);
    BOOST_TEST(defaults->limits.pdf_worker.empty());
    auto set = signet::config::load(write(valid("pdf_workers = 3\npdf_job_timeout_seconds = 5\npdf_worker_memory_mib = 0\n"
                                                "pdf_worker_cpu_seconds = 2\ndrain_timeout_seconds = 7\n"
                                                "pdf_worker = \"module.so\"\n")));
    BOOST_REQUIRE_MESSAGE(set, signet::test::error_of(set));
    BOOST_TEST(set->limits.pdf_workers == 3U);
    BOOST_TEST(set->limits.pdf_job_timeout.count() == 5);
    BOOST_TEST(set->limits.pdf_worker_memory_bytes == 0U);
    BOOST_TEST(set->limits.pdf_worker_cpu_seconds == 2U);
    BOOST_TEST(set->limits.drain_timeout.count() == 7);
    BOOST_TEST(set->limits.pdf_worker == dir / "module.so");
    require_error(signet::config::load(write(valid("pdf_job_timeout_seconds = 0\n"))),
                  {"limits.pdf_job_timeout_seconds", "between 1"});
    require_error(signet::config::load(write(valid("pdf_worker = \"none\"\n"))), {"limits.pdf_worker", "does not exist"});
}

BOOST_AUTO_TEST_CASE(pin_from_a_systemd_credential) {
    std::string text = valid();
    text.replace(text.find("pin_file = \"pin\""), 16, "pin_credential = \"hsm-pin\"");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    require_error(signet::config::load(write(text)), {"hsm.pin_credential", "$CREDENTIALS_DIRECTORY"});

    TempDir credentials{"signet-credentials"};
    ::setenv("CREDENTIALS_DIRECTORY", credentials.path().c_str(), 1);
    require_error(signet::config::load(write(text)), {"hsm.pin_credential", "does not exist"});
    write_file(credentials / "hsm-pin", "1234");
    auto loaded = signet::config::load(write(text));
    ::unsetenv("CREDENTIALS_DIRECTORY");
    BOOST_REQUIRE_MESSAGE(loaded, signet::test::error_of(loaded));
    BOOST_TEST(loaded->hsm.pin_file == credentials / "hsm-pin");

    std::string path_not_name = text;
    path_not_name.replace(path_not_name.find("\"hsm-pin\""), 9, "\"../pin\"");
    require_error(signet::config::load(write(path_not_name)), {"hsm.pin_credential", "not a path"});
    std::string both = valid();
    both.replace(both.find("pin_file = \"pin\""), 16, "pin_file = \"pin\"\npin_credential = \"hsm-pin\"");
    require_error(signet::config::load(write(both)), {"exactly one of pin_file and pin_credential"});
}

BOOST_AUTO_TEST_SUITE_END()
