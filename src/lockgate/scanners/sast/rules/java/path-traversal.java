package com.example.web;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.commons.io.FilenameUtils;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
public class FileController {

    private static final Path BASE = Paths.get("/srv/app/files").toAbsolutePath().normalize();

    @GetMapping("/files")
    public byte[] read(@RequestParam String name) throws IOException {
        // ruleid: lockgate.java.path-traversal.tainted-file-access
        return Files.readAllBytes(Paths.get("/srv/app/files", name));
    }

    @GetMapping("/files/{name}")
    public byte[] stream(@PathVariable String name) throws IOException {
        File file = new File("/srv/app/files/" + name);
        // ruleid: lockgate.java.path-traversal.tainted-file-access
        try (InputStream in = new FileInputStream(file)) {
            return in.readAllBytes();
        }
    }

    @GetMapping("/resource")
    public Resource resource(@RequestParam String path) {
        // ruleid: lockgate.java.path-traversal.tainted-file-access
        return new FileSystemResource(BASE.resolve(path));
    }

    @PostMapping("/upload")
    public String upload(@RequestParam("file") MultipartFile upload) throws IOException {
        Path target = BASE.resolve(upload.getOriginalFilename());
        // ruleid: lockgate.java.path-traversal.tainted-file-access
        Files.write(target, upload.getBytes());
        return "ok";
    }

    @GetMapping("/delete")
    public String delete(@RequestParam String name) {
        File victim = new File(BASE.toFile(), name);
        // ruleid: lockgate.java.path-traversal.tainted-file-access
        victim.delete();
        return "ok";
    }

    @GetMapping("/image")
    public byte[] image(String filepath) throws IOException {
        // ruleid: lockgate.java.path-traversal.tainted-file-access
        return Files.readAllBytes(Paths.get(filepath));
    }

    @GetMapping("/image-checked")
    public byte[] imageChecked(String filepath) throws IOException {
        if (PathPolicy.sanitizePath(filepath) == null) {
            throw new AccessDeniedException(filepath);
        }
        // ok: lockgate.java.path-traversal.tainted-file-access
        return Files.readAllBytes(Paths.get(filepath));
    }

    @GetMapping("/files-safe")
    public byte[] readSafe(@RequestParam String name) throws IOException {
        Path p = BASE.resolve(name).normalize();
        if (!p.startsWith(BASE)) {
            throw new AccessDeniedException(name);
        }
        // ok: lockgate.java.path-traversal.tainted-file-access
        return Files.readAllBytes(p);
    }

    @GetMapping("/files-canonical")
    public byte[] readCanonical(@RequestParam String name) throws IOException {
        File f = new File(BASE.toFile(), name);
        if (!f.getCanonicalPath().startsWith(BASE.toString() + File.separator)) {
            throw new AccessDeniedException(name);
        }
        // ok: lockgate.java.path-traversal.tainted-file-access
        try (InputStream in = new FileInputStream(f)) {
            return in.readAllBytes();
        }
    }

    @PostMapping("/upload-safe")
    public String uploadSafe(@RequestParam("file") MultipartFile upload) throws IOException {
        String name = FilenameUtils.getName(upload.getOriginalFilename());
        // ok: lockgate.java.path-traversal.tainted-file-access
        Files.write(BASE.resolve(name), upload.getBytes());
        // ok: lockgate.java.path-traversal.tainted-file-access
        Files.readAllBytes(BASE.resolve("index.html"));
        return "ok";
    }
}
