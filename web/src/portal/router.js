// The patient app's hash routes: "#/", "#/profile", "#/appointments", "#/appointments/new",
// "#/treatments". useHashRoute() answers the route as a string without "#/" and re-renders
// on every change; go(route) moves there.
import { useEffect, useState } from 'preact/hooks';

export const routeFromHash = (hash) => String(hash ?? '').replace(/^#\/?/, '').replace(/\/+$/, '');

export function useHashRoute() {
  const [route, setRoute] = useState(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const hrefOf = (route) => `#/${route}`;

export function go(route) {
  window.location.hash = hrefOf(route);
}
