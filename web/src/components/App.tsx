import { me } from '../state/signals.js';
import { Shell } from './Shell.js';
import { SignIn } from './SignIn.js';

export function App() {
  return me.value ? <Shell /> : <SignIn />;
}
