# shellcheck shell=bash
# The Secret's values (and their base64) are in nothing `build` made: not in the images, the
# initrd (unpacked, its EROFS images extracted), pod.json, vm.json, nor the boot disk's
# partitions. The host keeps them only in each Deployment's secrets.json, mode 0600.

# secrets_unpack FILE DIR: FILE's contents into DIR when it is an initrd (cpio, maybe
# compressed), an EROFS image or a partitioned disk; returns 1 when it is none of them.
secrets_unpack() {
  local file out kind
  file=$(realpath "$1") out=$(realpath -m "$2")
  kind=$(file -b "$file")
  mkdir -p "$out"
  case $kind in
    *"cpio archive"*) (cd "$out" && cpio -idm --quiet <"$file") ;;
    *"gzip compressed"*) (cd "$out" && gzip -dc <"$file" | cpio -idm --quiet) ;;
    *"Zstandard compressed"*) (cd "$out" && zstd -dcq <"$file" | cpio -idm --quiet) ;;
    *"XZ compressed"*) (cd "$out" && xz -dc <"$file" | cpio -idm --quiet) ;;
    *EROFS*) fsck.erofs --extract="$out/fs" "$file" >/dev/null 2>&1 ;;
    *"DOS/MBR boot sector"*|*"GPT partition"*)
      local start size n=0
      while read -r start size; do
        n=$((n + 1))
        dd if="$file" of="$out/part$n" bs=512 skip="$start" count="$size" status=none
      done < <(sfdisk -d "$file" 2>/dev/null | sed -n 's/.*start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p') ;;
    *) return 1 ;;
  esac
}

host_check_secrets() {
  local patterns=(s3cr3t-pa55 tok-4711-never-in-an-image czNjcjN0LXBhNTU= dG9rLTQ3MTEtbmV2ZXItaW4tYW4taW1hZ2U=)
  local args=() p f unpacked="$work/secrets-unpacked" hits="" files=0 mode
  for p in "${patterns[@]}"; do args+=(-e "$p"); done
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  # Everything build wrote, and everything inside it, down to plain files (a disk's partitions
  # are EROFS images, an initrd holds system.erofs): unpack until nothing unpacks further.
  local queue=() i=0
  while IFS= read -r -d '' f; do queue+=("$f"); done < <(find "$build" -type f ! -name secrets.json -print0)
  while ((i < ${#queue[@]})); do
    f=${queue[i]}
    i=$((i + 1))
    files=$((files + 1))
    grep -q -a -F "${args[@]}" "$f" && hits+=" $f"
    local into="$unpacked/$i"
    if secrets_unpack "$f" "$into" 2>/dev/null; then
      while IFS= read -r -d '' p; do queue+=("$p"); done < <(find "$into" -type f -print0)
    fi
  done
  if [[ -z $hits ]]; then
    echo "PASS secrets: the values and their base64 in none of the $files files build made or unpacked from them → none"
  else
    echo "FAIL secrets: the secret's values are in$hits"
  fi
  # Where the host keeps them: shop's secrets.json only, private to the user; cart refers to none.
  if [[ -f $build/shop/secrets.json ]]; then
    mode=$(stat -c %a "$build/shop/secrets.json")
    if [[ $mode == 600 ]]; then echo "PASS secrets: shop/secrets.json's mode → $mode"; else echo "FAIL secrets: shop/secrets.json's mode → $mode, want 600"; fi
  else
    echo "FAIL secrets: no $build/shop/secrets.json: where did run get the Secret?"
  fi
  if [[ -e $build/cart/secrets.json ]]; then
    echo "FAIL secrets: cart refers to no Secret but has $build/cart/secrets.json"
  else
    echo "PASS secrets: cart, which refers to no Secret, has no secrets file → none"
  fi
}
