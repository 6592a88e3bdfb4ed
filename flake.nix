{
  description = "latchkey: standards-based authentication for a platform's CLI";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAll (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.nodejs_20 pkgs.chromium pkgs.gnome-keyring pkgs.libsecret pkgs.dbus ];
        };
      });

      packages = forAll (pkgs: {
        default = pkgs.buildNpmPackage {
          pname = "latchkey";
          version = (builtins.fromJSON (builtins.readFile ./package.json)).version;
          src = ./.;
          nodejs = pkgs.nodejs_20;
          # Update with `nix run nixpkgs#prefetch-npm-deps package-lock.json` when dependencies change.
          npmDepsHash = nixpkgs.lib.fakeHash;
          npmBuildScript = "build";
          installPhase = ''
            runHook preInstall
            mkdir -p $out/lib/latchkey $out/bin
            cp -r dist bin package.json node_modules $out/lib/latchkey/
            makeWrapper ${pkgs.nodejs_20}/bin/node $out/bin/latchkey --add-flags $out/lib/latchkey/bin/latchkey
            runHook postInstall
          '';
        };
      });
    };
}
