/**
 * The benchmark's baseline: the top-k overlap results composed from stock tfjs ops (logSoftmax, topk,
 * gather, equal, sum) on the same backend. One matrix at a time, so only one set of [T,V] temporaries lives.
 */
import * as tf from '@tensorflow/tfjs';

export interface TfjsOpsOverlap {
  studentIds: Int32Array;
  /** `[h][i·k + j]` */
  teacherIds: Int32Array[];
  /** `[h][i]` */
  overlap: Int32Array[];
}

/** log-sum-exp per row, recovered from the log-softmax: x[i,0] − logSoftmax(x)[i,0]. */
function rowLogSumExp(x: tf.Tensor2D, logProbs: tf.Tensor2D): tf.Tensor1D {
  return tf.sub(x.slice([0, 0], [-1, 1]), logProbs.slice([0, 0], [-1, 1])).reshape([-1]) as tf.Tensor1D;
}

export async function topKOverlapWithTfjsOps(student: tf.Tensor2D, teachers: tf.Tensor2D[], k: number): Promise<TfjsOpsOverlap> {
  const [studentIds, studentLogProbs, studentLse] = tf.tidy(() => {
    const logProbs = tf.logSoftmax(student) as tf.Tensor2D;
    const top = tf.topk(logProbs, k);
    return [top.indices, top.values, rowLogSumExp(student, logProbs)];
  });
  const perTeacher = teachers.map((teacher) =>
    tf.tidy(() => {
      const logProbs = tf.logSoftmax(teacher) as tf.Tensor2D;
      const top = tf.topk(logProbs, k);
      const atStudent = tf.gather(logProbs, studentIds, 1, 1);
      const overlap = tf.equal(studentIds.expandDims(2), top.indices.expandDims(1)).cast('int32').sum([1, 2]);
      return [top.indices, top.values, overlap, atStudent, rowLogSumExp(teacher, logProbs)];
    }),
  );
  const all = [studentIds, studentLogProbs, studentLse, ...perTeacher.flat()];
  const values = await Promise.all(all.map((t) => t.data()));
  tf.dispose(all);
  return {
    studentIds: values[0] as Int32Array,
    teacherIds: perTeacher.map((_, h) => values[3 + 5 * h] as Int32Array),
    overlap: perTeacher.map((_, h) => values[3 + 5 * h + 2] as Int32Array),
  };
}
