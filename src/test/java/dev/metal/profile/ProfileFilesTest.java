package dev.metal.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.BadInputException;
import dev.metal.model.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFilesTest {
    @TempDir
    Path dir;

    private List<String> problems(String yaml) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, yaml);
        return assertThrows(BadInputException.class, () -> ProfileFiles.load(f)).problems();
    }

    @Test
    void everySampleLoads() {
        List<ProfileFiles.Loaded> loaded = ProfileFiles.loadFolder(MatcherTest.SAMPLES);
        assertEquals(List.of("dl360-gen10p", "lab-1u-compute", "lab-2u-storage", "r6525-base", "r6525-bigmem", "sr650-gpu",
                        "supermicro-1029u"),
                loaded.stream().map(l -> l.profile().name()).toList());
        Profile dell = loaded.get(3).profile();
        assertEquals(16, dell.memory().dimms().size());
        assertEquals("DIMM.Socket.A1", dell.memory().dimms().keySet().iterator().next());
        assertEquals("2", dell.nics().get(1).slot());
        assertEquals("OCP 3.0 Slot 14", loaded.get(0).profile().nics().get(0).slot(), "location is a slot");
    }

    @Test
    void anUnknownKeyIsNamedWithItsLine() throws Exception {
        List<String> p = problems("""
                name: x
                system:
                  model: R1
                nics:
                  - slot: "2"
                    sped: 25000
                """);
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith(dir.resolve("bad.yaml") + " line 6: unknown key 'sped' in nics[0] (known: "),
                p.get(0));
        assertTrue(p.get(0).contains("speedMbps"), p.get(0));
    }

    @Test
    void aWrongTypeIsNamedWithItsLine() throws Exception {
        List<String> p = problems("""
                name: x
                cpus:
                  count: two
                """);
        assertEquals(List.of(dir.resolve("bad.yaml") + " line 3: cpus.count: 'two' is not a whole number"), p);
    }

    @Test
    void aFractionIsNoCountAndADuplicateKeyIsNoOverride() throws Exception {
        List<String> p = problems("""
                name: x
                cpus:
                  count: 2.5
                """);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("line 3: cpus.count: '2.5' is not a whole number"), p.toString());
        List<String> d = problems("""
                name: x
                cpus:
                  count: 2
                  count: 4
                """);
        assertEquals(1, d.size(), d.toString());
        assertTrue(d.get(0).matches(".*bad.yaml line \\d+: cpus: Duplicate field 'count'"), d.toString());
    }

    @Test
    void badYamlIsNamedWithItsLine() throws Exception {
        List<String> p = problems("""
                name: x
                system:
                  model: [R1
                cpus: 2
                """);
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith(dir.resolve("bad.yaml") + " line "), p.get(0));
    }

    @Test
    void everyCheckFailureIsListedWithItsLine() throws Exception {
        List<String> p = problems("""
                name: two words
                memory:
                  totalGiB: 64
                  dimms:
                    A1: 16
                    A2: 16
                drives:
                  - bay: "0"
                    boot: true
                  - bay: "0"
                    boot: true
                nics:
                  - slot: "2"
                    ports: 2
                    names: [ext0, ext0, ext2]
                  - slot: "3"
                    names: [this-name-is-too-long]
                """);
        String f = dir.resolve("bad.yaml").toString();
        assertEquals(List.of(
                f + " line 1: name 'two words' must be letters, digits, '.', '_' or '-'",
                f + " line 3: memory.totalGiB is 64 but the DIMMs listed add up to 32 GiB",
                f + " line 10: bay 0 is also listed as drives[0]",
                f + " line 11: more than one drive has boot: true",
                f + " line 15: 3 names for 2 ports",
                f + " line 15: NIC name ext0 is also used in nics[0]",
                f + " line 17: NIC name 'this-name-is-too-long' must start with a letter and be at most 15 letters, "
                        + "digits, '.', '_' or '-' (a Linux interface name)"), p);
    }

    @Test
    void theNameDefaultsToTheFileName() throws Exception {
        Path f = dir.resolve("small.yaml");
        Files.writeString(f, "system:\n  model: R1\n");
        assertEquals("small", ProfileFiles.load(f).profile().name());
    }

    @Test
    void emptyFilesAndProfilesThatCheckNothingAreRejected() throws Exception {
        assertEquals(List.of(dir.resolve("bad.yaml") + ": empty profile file"), problems(""));
        assertEquals(List.of(dir.resolve("bad.yaml") + " line 1: the profile checks nothing: give system, cpus, "
                + "memory, drives or nics"), problems("name: x\n"));
    }

    @Test
    void aFolderWithTwoProfilesOfOneNameFailsNamingBoth() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "name: same\nsystem:\n  model: A\n");
        Files.writeString(dir.resolve("b.yml"), "name: same\nsystem:\n  model: B\n");
        Files.writeString(dir.resolve("notes.txt"), "not a profile");
        BadInputException e = assertThrows(BadInputException.class, () -> ProfileFiles.loadFolder(dir));
        assertEquals(List.of(dir.resolve("b.yml") + ": profile name same is also used by " + dir.resolve("a.yaml")),
                e.problems());
    }

    @Test
    void aMissingFolderSaysWhereProfilesAreLookedFor() {
        BadInputException e = assertThrows(BadInputException.class, () -> ProfileFiles.loadFolder(dir.resolve("no")));
        assertTrue(e.getMessage().contains("$METAL_PROFILES"), e.getMessage());
    }
}
