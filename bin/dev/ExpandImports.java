import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.ReferenceTree;
import com.sun.source.tree.CaseTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTreePath;
import com.sun.source.util.DocTreePathScanner;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.QualifiedNameable;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Replaces every wildcard import (`import a.b.*;`, `import static a.B.*;`) in a module's main and test sources
 * with the single imports the file needs. javac itself decides what each simple name means: every source set
 * is attributed with the module's classpath (bin/dev/expand-imports writes it from Maven), so our packages,
 * the JDK's and the dependencies' are all resolved the way the compiler resolves them. Only names that reach
 * the file through a wildcard get an import (not java.lang, the file's own package, its own types, members in
 * scope by nesting or inheritance, enum constants in case labels).
 *
 * Before anything is written, the rewritten source set is attributed again and every simple name (code and
 * Javadoc references) must resolve to the same element as before, with no compile error; otherwise nothing
 * of that source set is written and the run fails.
 *
 * Usage (JDK 17+, source-file mode): java bin/dev/ExpandImports.java [--dry-run] MODULE_DIR...
 * Each MODULE_DIR needs target/expand-imports.classpath (its test-scope classpath) and target/classes.
 */
public final class ExpandImports {
    private static final Pattern WILDCARD = Pattern.compile("(?m)^[ \\t]*import\\s+(?:static\\s+)?[\\w.$]+\\s*\\.\\s*\\*\\s*;");

    public static void main(String[] args) throws IOException {
        boolean dryRun = false;
        List<Path> modules = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--dry-run")) {
                dryRun = true;
            } else {
                modules.add(Path.of(arg));
            }
        }
        if (modules.isEmpty()) {
            System.err.println("usage: java bin/dev/ExpandImports.java [--dry-run] MODULE_DIR...");
            System.exit(2);
        }
        int files = 0;
        boolean failed = false;
        for (Path module : modules) {
            Path cpFile = module.resolve("target/expand-imports.classpath");
            if (!Files.isRegularFile(cpFile)) {
                System.err.println("[expand-imports] " + cpFile + " is missing: run bin/dev/expand-imports, which writes it");
                System.exit(2);
            }
            String classpath = Files.readString(cpFile).trim();
            String classes = module.resolve("target/classes").toString();
            try {
                files += expand(module.resolve("src/main/java"), classpath, dryRun);
                files += expand(module.resolve("src/test/java"), classes + File.pathSeparator + classpath, dryRun);
            } catch (Failure f) {
                System.err.println("[expand-imports] " + f.getMessage());
                failed = true;
            }
        }
        System.out.println("[expand-imports] " + (dryRun ? "would rewrite " : "rewrote ") + files + " files");
        if (failed) {
            System.exit(1);
        }
    }

    /** One source set: attribute, rewrite in memory, attribute again, compare, then write. */
    private static int expand(Path root, String classpath, boolean dryRun) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                sources.put(p, Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        if (sources.values().stream().noneMatch(s -> WILDCARD.matcher(s).find())) {
            return 0;
        }
        Map<Path, Scan> before = analyze(sources, classpath, root, false);
        Map<Path, String> rewritten = new TreeMap<>(sources);
        Map<Path, Scan> changed = new LinkedHashMap<>();
        for (var e : before.entrySet()) {
            Scan scan = e.getValue();
            if (scan.wildcards.isEmpty()) {
                continue;
            }
            if (!scan.conflicts.isEmpty()) {
                throw new Failure(e.getKey() + ": the same simple name would be imported from two places " + scan.conflicts
                        + "; expand this file by hand");
            }
            rewritten.put(e.getKey(), rewrite(sources.get(e.getKey()), scan));
            changed.put(e.getKey(), scan);
        }
        if (changed.isEmpty()) {
            // a WILDCARD match only inside a comment or text block
            return 0;
        }
        Map<Path, Scan> after = analyze(rewritten, classpath, root, true);
        for (Path p : changed.keySet()) {
            List<String> was = before.get(p).trace;
            List<String> now = after.get(p).trace;
            if (!was.equals(now)) {
                int i = 0;
                while (i < Math.min(was.size(), now.size()) && was.get(i).equals(now.get(i))) {
                    i++;
                }
                throw new Failure(p + ": a name would resolve differently after the rewrite ("
                        + (i < was.size() ? was.get(i) : "-") + " became " + (i < now.size() ? now.get(i) : "-")
                        + "); nothing under " + root + " was written");
            }
        }
        for (var e : changed.entrySet()) {
            Path p = e.getKey();
            System.out.println("[expand-imports] " + root.relativize(p).toString().replace(File.separatorChar, '/') + ": "
                    + String.join(", ", e.getValue().wildcards) + " -> " + e.getValue().needed.size() + " imports");
            if (!dryRun) {
                Files.writeString(p, rewritten.get(p), StandardCharsets.UTF_8);
            }
        }
        return changed.size();
    }

    private static Map<Path, Scan> analyze(Map<Path, String> sources, String classpath, Path root, boolean rewritten) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        var fileManager = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8);
        // javac hands back its own wrappers of the file objects: match them by URI
        Map<URI, Path> paths = new LinkedHashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((path, text) -> {
            Source source = new Source(path, text);
            units.add(source);
            paths.put(source.toUri(), path);
        });
        List<String> options = List.of("-proc:none", "-Xlint:none", "-nowarn", "-classpath", classpath);
        JavacTask task = (JavacTask) javac.getTask(null, fileManager, diagnostics, options, null, units);
        Iterable<? extends CompilationUnitTree> trees;
        try {
            trees = task.parse();
            task.analyze();
        } catch (IOException e) {
            throw new Failure("cannot read " + root + ": " + e.getMessage());
        }
        List<String> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> (d.getSource() == null ? "" : paths.get(d.getSource().toUri()) + ":" + d.getLineNumber() + ": ")
                        + d.getMessage(null))
                .limit(20)
                .collect(Collectors.toList());
        if (!errors.isEmpty()) {
            throw new Failure(root + (rewritten ? " would not compile after the rewrite" : " does not compile (build it first)")
                    + "; nothing there was written:\n  " + String.join("\n  ", errors));
        }
        DocTrees docTrees = DocTrees.instance(task);
        Map<Path, Scan> scans = new TreeMap<>();
        for (CompilationUnitTree cu : trees) {
            Scan scan = new Scan(cu, docTrees, task.getTypes(), task.getElements());
            scan.run();
            scans.put(paths.get(cu.getSourceFile().toUri()), scan);
        }
        return scans;
    }

    /** The wildcard imports' lines replaced by the needed imports, at the place of the first. */
    private static String rewrite(String text, Scan scan) {
        List<long[]> spans = new ArrayList<>(scan.spans);
        spans.sort(Comparator.comparingLong(s -> s[0]));
        StringBuilder out = new StringBuilder();
        int at = 0;
        boolean first = true;
        for (long[] span : spans) {
            int start = (int) span[0];
            int end = (int) span[1];
            int lineStart = text.lastIndexOf('\n', start - 1) + 1;
            int newline = text.indexOf('\n', end);
            int lineEnd = newline < 0 ? text.length() : newline + 1;
            if (text.substring(lineStart, start).isBlank() && text.substring(end, lineEnd).isBlank()) {
                start = lineStart;
                end = lineEnd;
            }
            out.append(text, at, start);
            if (first) {
                for (String imp : scan.needed) {
                    out.append(imp).append('\n');
                }
                first = false;
            }
            at = end;
        }
        out.append(text.substring(at));
        return out.toString();
    }

    /** What one file imports by wildcard, what its names resolve to, and the single imports it needs. */
    private static final class Scan extends TreePathScanner<Void, Void> {
        private final CompilationUnitTree cu;
        private final DocTrees trees;
        private final Types types;
        private final Elements elements;
        private final String pkg;
        private final Set<String> typeWildcards = new TreeSet<>();
        private final Set<String> staticWildcards = new TreeSet<>();
        private final Set<String> singleNames = new TreeSet<>();
        private final Set<String> staticSingleNames = new TreeSet<>();
        private final Set<String> topLevel = new TreeSet<>();
        final List<String> wildcards = new ArrayList<>();
        final List<long[]> spans = new ArrayList<>();
        final Set<String> needed = new TreeSet<>(Comparator.comparing((String s) -> s.startsWith("import static"))
                .thenComparing(Comparator.naturalOrder()));
        final List<String> trace = new ArrayList<>();
        final Set<String> conflicts = new TreeSet<>();
        private final Map<String, String> typeBySimpleName = new TreeMap<>();

        Scan(CompilationUnitTree cu, DocTrees trees, Types types, Elements elements) {
            this.cu = cu;
            this.trees = trees;
            this.types = types;
            this.elements = elements;
            this.pkg = cu.getPackageName() == null ? "" : cu.getPackageName().toString();
        }

        void run() {
            SourcePositions positions = trees.getSourcePositions();
            for (ImportTree imp : cu.getImports()) {
                if (!(imp.getQualifiedIdentifier() instanceof MemberSelectTree select)) {
                    continue;
                }
                String name = select.getIdentifier().toString();
                if (name.equals("*")) {
                    String qualifier = select.getExpression().toString();
                    (imp.isStatic() ? staticWildcards : typeWildcards).add(qualifier);
                    wildcards.add((imp.isStatic() ? "static " : "") + qualifier + ".*");
                    spans.add(new long[] {positions.getStartPosition(cu, imp), positions.getEndPosition(cu, imp)});
                } else {
                    (imp.isStatic() ? staticSingleNames : singleNames).add(name);
                }
            }
            for (Tree decl : cu.getTypeDecls()) {
                if (decl instanceof ClassTree c) {
                    topLevel.add(c.getSimpleName().toString());
                }
            }
            scan(new TreePath(cu), null);
        }

        @Override
        public Void visitImport(ImportTree node, Void unused) {
            return null;
        }

        @Override
        public Void visitIdentifier(IdentifierTree node, Void unused) {
            Element e = trees.getElement(getCurrentPath());
            String name = node.getName().toString();
            trace.add(name + "=" + key(e));
            if (e != null && !enumCaseLabel(e)) {
                consider(e, name, getCurrentPath());
            }
            return super.visitIdentifier(node, unused);
        }

        @Override
        public Void visitClass(ClassTree node, Void unused) {
            javadoc();
            return super.visitClass(node, unused);
        }

        @Override
        public Void visitMethod(MethodTree node, Void unused) {
            javadoc();
            return super.visitMethod(node, unused);
        }

        @Override
        public Void visitVariable(VariableTree node, Void unused) {
            javadoc();
            return super.visitVariable(node, unused);
        }

        /** {@code {@link Name}}, {@code @see Name#member}, {@code Outer.Inner}: the type named first needs its import too. */
        private void javadoc() {
            TreePath declaration = getCurrentPath();
            DocCommentTree doc = trees.getDocCommentTree(declaration);
            if (doc == null) {
                return;
            }
            new DocTreePathScanner<Void, Void>() {
                @Override
                public Void visitReference(ReferenceTree ref, Void unused) {
                    Element e = trees.getElement(getCurrentPath());
                    String signature = ref.getSignature();
                    trace.add("doc " + signature + "=" + key(e));
                    int hash = signature.indexOf('#');
                    String head = hash < 0 ? signature : signature.substring(0, hash);
                    // the first name of `Type`, `Type#member` or `Outer.Inner`: one of the referenced types
                    String first = head.contains(".") ? head.substring(0, head.indexOf('.')) : head;
                    for (Element type = e; e != null && !first.isEmpty() && type != null; type = type.getEnclosingElement()) {
                        if (type instanceof TypeElement && type.getSimpleName().contentEquals(first)) {
                            consider(type, first, declaration);
                            break;
                        }
                    }
                    return null;
                }
            }.scan(new DocTreePath(declaration, doc), null);
        }

        private void consider(Element e, String name, TreePath where) {
            if (e instanceof TypeElement type) {
                Element owner = type.getEnclosingElement();
                if (owner instanceof PackageElement p) {
                    String q = p.getQualifiedName().toString();
                    if (q.equals(pkg) || q.equals("java.lang") || !typeWildcards.contains(q)) {
                        return;
                    }
                    if (!topLevel.contains(name) && !singleNames.contains(name)) {
                        needType(name, q + "." + name);
                    }
                } else if (owner instanceof TypeElement outer) {
                    String q = outer.getQualifiedName().toString();
                    boolean viaWildcard = typeWildcards.contains(q)
                            || staticWildcards.contains(q) && isStaticMember(type);
                    if (viaWildcard && !inScope(outer, where) && !topLevel.contains(name) && !singleNames.contains(name)) {
                        needType(name, q + "." + name);
                    }
                }
            } else if ((e.getKind() == ElementKind.METHOD || e.getKind().isField())
                    && e.getModifiers().contains(Modifier.STATIC)
                    && e.getEnclosingElement() instanceof TypeElement outer) {
                String q = staticWildcardOf(outer);
                if (q != null && !inScope(outer, where) && !staticSingleNames.contains(name)) {
                    needed.add("import static " + q + "." + name + ";");
                }
            }
        }

        /** The static wildcard that brings a static member of {@code owner}: its own, or a subtype's (inherited). */
        private String staticWildcardOf(TypeElement owner) {
            String own = owner.getQualifiedName().toString();
            if (staticWildcards.contains(own)) {
                return own;
            }
            for (String q : staticWildcards) {
                TypeElement type = elements.getTypeElement(q);
                if (type != null && types.isSubtype(types.erasure(type.asType()), types.erasure(owner.asType()))) {
                    return q;
                }
            }
            return null;
        }

        private static boolean isStaticMember(TypeElement type) {
            return type.getModifiers().contains(Modifier.STATIC) || type.getKind() != ElementKind.CLASS;
        }

        private void needType(String simpleName, String qualified) {
            String was = typeBySimpleName.putIfAbsent(simpleName, qualified);
            if (was != null && !was.equals(qualified)) {
                conflicts.add(was + " / " + qualified);
                return;
            }
            needed.add("import " + qualified + ";");
        }

        /** A member of {@code outer} is in scope without an import inside {@code outer}, its nested and its sub types. */
        private boolean inScope(TypeElement outer, TreePath where) {
            for (TreePath p = where; p != null; p = p.getParentPath()) {
                if (p.getLeaf() instanceof ClassTree && trees.getElement(p) instanceof TypeElement c
                        && (c.equals(outer) || types.isSubtype(types.erasure(c.asType()), types.erasure(outer.asType())))) {
                    return true;
                }
            }
            return false;
        }

        /** {@code case RED ->} names an enum constant without any import. */
        private boolean enumCaseLabel(Element e) {
            TreePath parent = getCurrentPath().getParentPath();
            return e.getKind() == ElementKind.ENUM_CONSTANT && parent != null && parent.getLeaf() instanceof CaseTree;
        }

        private static String key(Element e) {
            if (e == null) {
                return "?";
            }
            Element owner = e.getEnclosingElement();
            String where = owner == null ? "" : owner instanceof QualifiedNameable q ? q.getQualifiedName().toString() : owner.toString();
            return e.getKind() + " " + where + " " + e;
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(Path path, String text) {
            super(path.toUri(), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }
}
