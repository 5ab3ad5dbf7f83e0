
/**
 * Compiles ignore patterns into a test over a root-relative path (`/`-separated). A pattern
 * names one path segment (a file or a directory anywhere under the root, and everything
 * below that directory); `*` matches any run of characters within the segment. A pattern
 * with a slash is matched against the whole relative path (and its prefixes).
 */
export function compileIgnore(patterns: readonly string[]): (relativePath: string) => boolean {
  const toRegex = (glob: string) => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  const segment = patterns.filter((p) => !p.includes('/')).map(toRegex);
  const whole = patterns.filter((p) => p.includes('/')).map((p) => toRegex(p.replace(/^\/+|\/+$/g, '')));
  return (relativePath) => {
    const parts = relativePath.split('/');
    if (parts.some((part) => segment.some((re) => re.test(part)))) return true;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (whole.some((re) => re.test(prefix))) return true;
    }
    return false;
  };
}
