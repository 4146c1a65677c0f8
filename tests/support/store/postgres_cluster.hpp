#pragma once
// A throw-away PostgreSQL 15 cluster for a test: initdb in a temporary folder, the server on a
// free loopback port with password authentication, stopped and removed on destruction. No
// system service is assumed. As root (CI), the server runs as the `postgres` user that the
// postgresql-15 package makes, since initdb and postgres refuse root.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {

class PostgresCluster {
public:
    // `durable`: fsync on, as in production, for figures. Functional tests run without it:
    // the cluster is thrown away with the test.
    explicit PostgresCluster(bool durable = false);
    ~PostgresCluster();
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    // A new, empty database, and the [store] settings that reach it.
    config::Store create_database(std::string_view name);
    // SQL through psql, as the cluster's superuser.
    RunResult psql(std::string_view database, std::string_view sql) const;
    std::uint16_t port() const { return port_; }
    const std::filesystem::path& password_file() const { return password_file_; }

private:
    RunResult as_server_user(std::vector<std::string> argv) const;

    TempDir dir_{"signet-pg"};
    std::filesystem::path data_;
    std::filesystem::path password_file_;
    std::uint16_t port_ = 0;
};

}  // namespace signet::test
