package com.example.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.persistence.EntityManager;
import javax.servlet.http.HttpServletRequest;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class UserController {

    private static final Set<String> SORT_COLUMNS = Set.of("name", "created_at");
    private final DataSource dataSource;
    private final JdbcTemplate jdbcTemplate;
    private final EntityManager entityManager;

    public UserController(DataSource dataSource, JdbcTemplate jdbcTemplate, EntityManager em) {
        this.dataSource = dataSource;
        this.jdbcTemplate = jdbcTemplate;
        this.entityManager = em;
    }

    @GetMapping("/users")
    public String users(@RequestParam String name) throws SQLException {
        Connection conn = dataSource.getConnection();
        Statement stmt = conn.createStatement();
        // ruleid: lockgate.java.sql-injection.jdbc-statement
        ResultSet rs = stmt.executeQuery("SELECT * FROM users WHERE name = '" + name + "'");
        return rs.next() ? rs.getString("name") : "";
    }

    @GetMapping("/users/search")
    public String search(HttpServletRequest request) throws SQLException {
        String term = request.getParameter("q");
        StringBuilder sql = new StringBuilder("SELECT * FROM users WHERE bio LIKE '%");
        sql.append(term).append("%'");
        Connection conn = dataSource.getConnection();
        // ruleid: lockgate.java.sql-injection.jdbc-statement
        PreparedStatement ps = conn.prepareStatement(sql.toString());
        // ruleid: lockgate.java.sql-injection.jdbc-statement
        conn.createStatement().execute(String.format("DELETE FROM audit WHERE who = '%s'", term));
        return ps.executeQuery().next() ? "found" : "";
    }

    @GetMapping("/users/safe")
    public String safe(@RequestParam String name) throws SQLException {
        Connection conn = dataSource.getConnection();
        // ok: lockgate.java.sql-injection.jdbc-statement
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
        ps.setString(1, name);
        ResultSet rs = ps.executeQuery();
        Statement stmt = conn.createStatement();
        // ok: lockgate.java.sql-injection.jdbc-statement
        stmt.executeQuery("SELECT count(*) FROM users");
        var batch = conn.createStatement();
        // ruleid: lockgate.java.sql-injection.jdbc-statement
        batch.addBatch("INSERT INTO log VALUES ('" + name + "')");
        return rs.next() ? rs.getString("name") : "";
    }

    @GetMapping("/users/{id}")
    public Map<String, Object> byId(@PathVariable String id, @RequestParam int limit) {
        // ruleid: lockgate.java.sql-injection.jdbc-template
        Map<String, Object> row = jdbcTemplate.queryForMap("SELECT * FROM users WHERE id = " + id);
        // ok: lockgate.java.sql-injection.jdbc-template
        jdbcTemplate.queryForList("SELECT * FROM users WHERE id = ?", id);
        // ok: lockgate.java.sql-injection.jdbc-template
        jdbcTemplate.queryForList("SELECT * FROM users LIMIT " + limit);
        // ok: lockgate.java.sql-injection.jdbc-template
        jdbcTemplate.queryForList("SELECT * FROM users WHERE id = " + Long.parseLong(id));
        return row;
    }

    @PostMapping("/users/rename")
    public int rename(@RequestBody RenameRequest body) {
        // ruleid: lockgate.java.sql-injection.jdbc-template
        return jdbcTemplate.update("UPDATE users SET name = '" + body.getName() + "' WHERE id = 1");
    }

    @GetMapping("/users/client")
    public List<Map<String, Object>> client(@RequestParam String city, JdbcClient jdbcClient) {
        // ruleid: lockgate.java.sql-injection.jdbc-template
        return jdbcClient.sql("SELECT * FROM users WHERE city = '" + city + "'").query().listOfRows();
    }

    @GetMapping("/users/sorted")
    public List<Map<String, Object>> sorted(@RequestParam String sort) {
        if (!SORT_COLUMNS.contains(sort)) {
            throw new IllegalArgumentException("bad sort column");
        }
        // ok: lockgate.java.sql-injection.jdbc-template
        return jdbcTemplate.queryForList("SELECT * FROM users ORDER BY " + sort);
    }

    @GetMapping("/users/jpa")
    public List<?> jpa(@RequestParam String name, @RequestParam String role) {
        // ruleid: lockgate.java.sql-injection.jpa-query
        List<?> a = entityManager.createQuery("SELECT u FROM User u WHERE u.name = '" + name + "'").getResultList();
        String sql = "SELECT * FROM users WHERE role = '" + role + "'";
        // ruleid: lockgate.java.sql-injection.jpa-query
        List<?> b = entityManager.createNativeQuery(sql).getResultList();
        // ok: lockgate.java.sql-injection.jpa-query
        List<?> c = entityManager.createQuery("SELECT u FROM User u WHERE u.name = :name")
                .setParameter("name", name)
                .getResultList();
        return c;
    }

    static class RenameRequest {
        private String name;

        public String getName() {
            return name;
        }
    }
}
